/**
 * Runs on disk: `<dataDir>/runs/<id>/` holds `run.json` (spec, dataset identity, training config,
 * history, metrics, status), `model.json` + `weights.bin` (tfjs layers format), `tokenizer.json`,
 * and the optimizer's state for resuming. Every file is written atomically.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { TokenizerSpec } from '../../src-shared/data';
import { WorkbenchError } from '../../src-shared/errors';
import type { RunRecord, RunSummary } from '../../src-shared/training';
import { MAX_FILE_BYTES } from '../../src-shared/limits';
import { TEMP_MARKER, isProcessAlive, removeStrayTemps, writeFileAtomic } from '../platform/atomic-file';
import { readRegularText } from '../platform/bounded-file';

export const RUN_FILE = 'run.json';
export const TOKENIZER_FILE = 'tokenizer.json';
/** Inside a run folder: the weights and optimizer state at the end of the last finished epoch, for resuming. */
export const CHECKPOINT_DIR = 'checkpoint';

/**
 * `tokenizer.json`: the dataset's tokenizer plus how sequences are cut to the model's input, so a
 * run folder alone turns new text into model input (Keras `pad_sequences` defaults).
 */
export interface RunTokenizer extends TokenizerSpec {
  maxlen: number;
  padding: 'pre';
  truncating: 'pre';
}

const ID_PATTERN = /^[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$/;

/** A new run id: sortable by start time, unique enough across processes. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Reads `run.json` from a run folder, with a clear error naming the file. */
export async function readRunFolder(dir: string): Promise<RunRecord> {
  const file = path.join(dir, RUN_FILE);
  const text = await readRegularText(file, { what: `a run folder with ${RUN_FILE}`, maxBytes: MAX_FILE_BYTES.record });
  let record: RunRecord;
  try {
    record = JSON.parse(text) as RunRecord;
  } catch (error) {
    throw new WorkbenchError('bad_input', `${file}: expected JSON. Received: ${(error as Error).message}`);
  }
  if (record === null || typeof record !== 'object' || record.version !== 1 || typeof record.id !== 'string') {
    throw new WorkbenchError('bad_input', `${file}: expected a version 1 run record. Received: version ${JSON.stringify((record as { version?: unknown } | null)?.version)}`);
  }
  return record;
}

/** Writes `run.json` atomically. */
export async function writeRunFolder(dir: string, record: RunRecord): Promise<void> {
  await writeFileAtomic(path.join(dir, RUN_FILE), JSON.stringify(record, null, 2) + '\n');
}

/** Reads `tokenizer.json` from a run or export folder. */
export async function readRunTokenizer(dir: string): Promise<RunTokenizer> {
  const file = path.join(dir, TOKENIZER_FILE);
  const text = await readRegularText(file, { what: 'the tokenizer the model was trained with', maxBytes: MAX_FILE_BYTES.vocabulary });
  try {
    const tokenizer = JSON.parse(text) as RunTokenizer;
    if (typeof tokenizer.maxlen !== 'number' || typeof tokenizer.scheme !== 'string') throw new Error('no maxlen or scheme');
    return tokenizer;
  } catch (error) {
    throw new WorkbenchError('bad_input', `${file}: expected the tokenizer the model was trained with. Received: ${(error as Error).message}`);
  }
}

/** The listed view of a record. */
export function toSummary(record: RunRecord): RunSummary {
  const { id, name, status, createdAt, updatedAt, epochs, epochsDone, last, test, engine, message } = record;
  return { id, name, status, createdAt, updatedAt, epochs, epochsDone, last, test, engine, message };
}

/**
 * A run whose record says it is in progress but whose process is gone (a crash, a kill) is
 * `interrupted`; `isActive` names the runs this process is training right now.
 */
function withLiveness(record: RunRecord, isActive: (id: string) => boolean): RunRecord {
  if (record.status !== 'running' && record.status !== 'loading') return record;
  if (isActive(record.id)) return record;
  if (record.pid !== undefined && record.pid !== process.pid && isProcessAlive(record.pid)) return record;
  return { ...record, status: 'interrupted', message: record.message ?? `The run was interrupted after epoch ${record.epochsDone}; its last checkpoint is kept.` };
}

/** The runs under `<dataDir>/runs/`. */
export class RunStore {
  readonly root: string;

  constructor(
    dataDir: string,
    private readonly isActive: (id: string) => boolean = () => false,
  ) {
    this.root = path.join(dataDir, 'runs');
  }

  /** The folder of run `id`, after checking the id cannot reach outside the store. */
  dir(id: string): string {
    if (!ID_PATTERN.test(id)) throw new WorkbenchError('invalid_request', `runId must look like 20260101-120000-a1b2c3. Received: ${JSON.stringify(id)}`);
    return path.join(this.root, id);
  }

  /** Creates the folder of a new run and writes its first record. */
  async create(record: RunRecord): Promise<string> {
    const dir = this.dir(record.id);
    await mkdir(dir, { recursive: true });
    await writeRunFolder(dir, record);
    return dir;
  }

  async write(record: RunRecord): Promise<void> {
    await writeRunFolder(this.dir(record.id), record);
  }

  /** A run's record, with `interrupted` for runs whose process died. */
  async get(id: string): Promise<RunRecord> {
    const dir = this.dir(id);
    try {
      await stat(dir);
    } catch {
      throw new WorkbenchError('not_found', `No run with id ${id} in ${this.root}.`);
    }
    return withLiveness(await readRunFolder(dir), this.isActive);
  }

  /** Every readable run, newest first; unreadable folders are skipped, crashed writers' temp files swept. */
  async list(): Promise<RunRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch {
      return [];
    }
    // A delete renames the run away first; a crash before the removal leaves it here.
    await removeStrayTemps(this.root);
    const records: RunRecord[] = [];
    for (const name of names.filter((n) => ID_PATTERN.test(n)).sort().reverse()) {
      const dir = path.join(this.root, name);
      await removeStrayTemps(dir);
      await removeStrayTemps(path.join(dir, CHECKPOINT_DIR));
      try {
        records.push(withLiveness(await readRunFolder(dir), this.isActive));
      } catch {
        // A folder without a whole run.json is not a run; listing must not fail because of it.
      }
    }
    return records;
  }

  /** Deletes a run's folder: renamed away first, so a crash mid-delete never leaves half a run listed. */
  async delete(id: string): Promise<void> {
    const dir = this.dir(id);
    await this.get(id);
    const doomed = path.join(this.root, `${TEMP_MARKER}deleted-${id}-${process.pid}-${randomBytes(4).toString('hex')}`);
    await rename(dir, doomed);
    await rm(doomed, { recursive: true, force: true });
  }

  /** Refuses a target folder that exists and is not empty; returns its entries (undefined when absent). */
  static async checkTarget(target: string): Promise<string[] | undefined> {
    const resolved = path.resolve(target);
    let entries: string[];
    try {
      entries = await readdir(resolved);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      throw new WorkbenchError('bad_input', `--out must be a new or empty folder. Received: ${resolved} (${code ?? (error as Error).message})`);
    }
    if (entries.length > 0) throw new WorkbenchError('conflict', `--out must be a new or empty folder. Received: ${resolved} (not empty)`);
    return entries;
  }

  /**
   * Copies a run folder to `target` (the CLI's `--out`) through a temp folder beside it, so the
   * target appears whole or not at all. An existing non-empty target is refused.
   */
  static async copyTo(source: string, target: string): Promise<void> {
    const resolved = path.resolve(target);
    const entries = await RunStore.checkTarget(resolved);
    const parent = path.dirname(resolved);
    await mkdir(parent, { recursive: true });
    const temp = path.join(parent, `${TEMP_MARKER}${path.basename(resolved)}-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      await cp(source, temp, { recursive: true, filter: (src) => !path.basename(src).startsWith(TEMP_MARKER) });
      if (entries !== undefined) await rm(resolved, { recursive: true });
      await rename(temp, resolved);
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      throw error;
    }
  }
}
