/**
 * The autosaved draft on the main side: `<dataDir>/draft.json`, written atomically and flushed, so it
 * survives a crash of the app, the server or the browser — unlike the renderer's localStorage, which
 * Chromium writes to disk lazily.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Draft, DraftReading } from '../../src-shared/api';
import { MAX_PROJECT_BYTES } from '../../src-shared/desktop-api';
import { WorkbenchError } from '../../src-shared/errors';
import { formatReceived } from '../../src-shared/model/options';
import { parseProject } from '../../src-shared/project';
import { writeFileAtomic } from '../platform/atomic-file';
import { readRegularText } from '../platform/bounded-file';
import { removeStrayTempsOf } from './project-files';

export const DRAFT_FILE = 'draft.json';
/** Where a draft that could not be read is moved, so it is offered no more yet not lost. */
export const DAMAGED_DRAFT_FILE = 'draft.damaged.json';
/** A draft holds one project, indented one level deeper than its file; anything larger is not one. */
const MAX_DRAFT_BYTES = 2 * MAX_PROJECT_BYTES;

/** Checks a stored draft, with messages that name the file and the field. */
function parseDraft(text: string, file: string): Draft {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new WorkbenchError('bad_input', `${file} must be a JSON draft. Received: invalid JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new WorkbenchError('bad_input', `${file} must be a draft object {savedAt, name, project}. Received: ${Array.isArray(value) ? 'a list' : formatReceived(value)}`);
  }
  const { savedAt, name, project } = value as Record<string, unknown>;
  if (typeof savedAt !== 'string' || Number.isNaN(Date.parse(savedAt))) throw new WorkbenchError('bad_input', `${file}: savedAt must be an ISO date. Received: ${formatReceived(savedAt)}`);
  if (typeof name !== 'string') throw new WorkbenchError('bad_input', `${file}: name must be a string. Received: ${formatReceived(name)}`);
  return { savedAt, name, project: parseProject(project, `${file}: project`) };
}

/**
 * Keeps the one draft of a data folder. Writes and discards run one at a time in the order they were
 * asked, so a slow write can never land after a later one, nor bring back a discarded draft.
 */
export class DraftStore {
  readonly file: string;
  readonly #dataDir: string;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string) {
    this.#dataDir = dataDir;
    this.file = path.join(dataDir, DRAFT_FILE);
  }

  /** Runs `task` after every task asked before it, whether those succeeded or not. */
  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(task);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Validates and writes the draft; the temps of a write killed earlier are swept first. Queued before
   * its first await, so calls keep the order they were made in.
   */
  async save(name: string, project: unknown): Promise<void> {
    const draft: Draft = { savedAt: new Date().toISOString(), name, project: parseProject(project, 'draft') };
    const text = JSON.stringify(draft, null, 2) + '\n';
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_DRAFT_BYTES) throw new WorkbenchError('bad_input', `draft: expected a project of at most ${MAX_DRAFT_BYTES} bytes as JSON. Received: ${bytes} bytes`);
    return this.#enqueue(async () => {
      await mkdir(this.#dataDir, { recursive: true });
      await removeStrayTempsOf(this.file);
      await writeFileAtomic(this.file, text);
    });
  }

  /**
   * The stored draft, or none. A damaged one is moved to `draft.damaged.json` and the problem is
   * returned for the UI to show, so a bad file never blocks a launch. Sweeps a killed write's temps.
   */
  read(): Promise<DraftReading> {
    return this.#enqueue(async () => {
      await removeStrayTempsOf(this.file);
      let size: number;
      try {
        size = (await stat(this.file)).size;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { draft: null };
        throw new WorkbenchError('bad_input', `${this.file}: expected a draft you may read. Received: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
      try {
        if (size > MAX_DRAFT_BYTES) throw new WorkbenchError('bad_input', `${this.file}: expected a draft of at most ${MAX_DRAFT_BYTES} bytes. Received: ${size} bytes`);
        return { draft: parseDraft(await readRegularText(this.file, { what: 'a draft', maxBytes: MAX_DRAFT_BYTES }), this.file) };
      } catch (error) {
        const reason = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
        const aside = path.join(this.#dataDir, DAMAGED_DRAFT_FILE);
        try {
          // Only the newest damaged draft is kept aside.
          await rm(aside, { recursive: true, force: true });
          await rename(this.file, aside);
        } catch (moveError) {
          return { draft: null, problem: `The autosaved draft could not be restored: ${reason}. It could not be set aside either (${(moveError as Error).message}); remove ${this.file} by hand.` };
        }
        return { draft: null, problem: `The autosaved draft could not be restored: ${reason}. It was set aside as ${aside}.` };
      }
    });
  }

  /** Removes the draft, if any. */
  discard(): Promise<void> {
    return this.#enqueue(() => rm(this.file, { force: true }));
  }

  /** Waits for the writes asked so far, so quitting does not cut the last one short. */
  async flush(): Promise<void> {
    await this.#queue;
  }
}
