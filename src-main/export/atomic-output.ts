/**
 * Writing an export so that a crash, a full disk or a refused folder never leaves half of one: the
 * files go into a temp folder (or temp file) beside the target, which is renamed into place last.
 *
 * Replacing an existing folder takes two renames (the old one aside, the new one in); a process
 * killed between them leaves the old export under a `.old-` name, which `recoverExports` puts back.
 */
import { randomUUID } from 'node:crypto';
import { access, constants, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { WorkbenchError } from '../../src-shared/errors';
import { isProcessAlive, writeFileDurable } from '../platform/atomic-file';

/** Writes one whole file; injectable so tests can fill the disk. */
export type WriteFileFn = (file: string, data: Uint8Array) => Promise<void>;

/** Marks a folder or file being written; the pid lets a later export sweep those of dead writers. */
const TEMP_PREFIX = '.tmp-export-';
/** Marks a replaced export kept until its replacement is in place. */
const OLD_PREFIX = '.old-export-';

export interface AtomicOptions {
  /** Replace an existing target. Default false: an existing target is refused. */
  force?: boolean;
  /** How each file is written. Default: write, fsync, close. */
  writeFile?: WriteFileFn;
  /**
   * Names the temp (see `newTempId`). A caller that may kill the writer passes its own, so it knows
   * what to remove afterwards. Default: a new one.
   */
  tempId?: string;
}

/** A complete output in its temp beside the target, not yet in place: `publishStaged` or `discardStaged` it. */
export interface StagedOutput {
  target: string;
  temp: string;
  isFolder: boolean;
}

/** A temp id of this process: its pid (so a later export can tell a dead writer's temp) and 8 random hex digits. */
export function newTempId(): string {
  return `${process.pid}-${randomUUID().slice(0, 8)}`;
}

/** The temp an export to `target` with `tempId` writes into. */
export function tempPathOf(target: string, tempId: string): string {
  const resolved = path.resolve(target);
  return path.join(path.dirname(resolved), `${TEMP_PREFIX}${tempId}-${path.basename(resolved)}`);
}

/**
 * Flushes a folder's entries, so a rename into it survives a power cut as well as a killed process.
 * Some platforms cannot open a folder for syncing; there the rename is as durable as they allow.
 */
async function syncFolder(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // EISDIR/EPERM/EINVAL on Windows and some file systems: nothing more can be done there.
  } finally {
    await handle?.close();
  }
}

function tempName(prefix: string, target: string): string {
  return `${prefix}${newTempId()}-${path.basename(target)}`;
}

/** The pid and target basename a temp or backup name carries, or undefined for other names. */
function parseMarked(name: string, prefix: string): { pid: number; target: string } | undefined {
  if (!name.startsWith(prefix)) return undefined;
  const match = /^(\d+)-[0-9a-f]{8}-(.+)$/.exec(name.slice(prefix.length));
  return match === null ? undefined : { pid: Number(match[1]), target: match[2]! };
}

/**
 * Cleans up after exports into `dir` whose process died: temp folders and files are removed, and a
 * replaced export whose replacement never arrived is renamed back. Live writers are left alone.
 */
export async function recoverExports(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const temp = parseMarked(name, TEMP_PREFIX);
    if (temp !== undefined && !isProcessAlive(temp.pid)) await rm(path.join(dir, name), { recursive: true, force: true });
  }
  for (const name of names) {
    const old = parseMarked(name, OLD_PREFIX);
    if (old === undefined || isProcessAlive(old.pid)) continue;
    const target = path.join(dir, old.target);
    const exists = await stat(target).then(
      () => true,
      () => false,
    );
    if (exists) await rm(path.join(dir, name), { recursive: true, force: true });
    else await rename(path.join(dir, name), target);
  }
}

function alreadyExists(target: string): WorkbenchError {
  return new WorkbenchError('conflict', `${target} already exists. Expected a new path, or confirm replacing it (CLI: --force). Received: an existing ${path.basename(target)}`);
}

/** Checks the parent folder and the target before any byte is written. */
async function prepare(target: string, force: boolean): Promise<void> {
  const parent = path.dirname(path.resolve(target));
  try {
    const info = await stat(parent);
    if (!info.isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    await access(parent, constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const reason = code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is not a folder' : `is not writable (${code})`;
    throw new WorkbenchError('bad_input', `Cannot export to ${target}: expected a writable folder to put it in. Received: ${parent}, which ${reason}`);
  }
  await recoverExports(parent);
  const exists = await stat(target).then(
    () => true,
    () => false,
  );
  if (exists && !force) throw alreadyExists(target);
}

/** Turns a write failure into a message that says what happened and that nothing was changed. */
function writeFailure(target: string, file: string, error: unknown): WorkbenchError {
  const code = (error as NodeJS.ErrnoException).code;
  const what =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? 'the disk is full'
      : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? `the folder is not writable (${code})`
        : `${(error as Error).message}`;
  return new WorkbenchError('bad_input', `Could not export to ${target}: writing ${path.basename(file)} failed because ${what}. Nothing was changed at ${target}.`);
}

/** Moves `temp` to `target`, replacing what is there; a folder needs the old one set aside first. */
async function publish(temp: string, target: string, parent: string, exists: boolean, isFolder: boolean): Promise<void> {
  if (!exists || !isFolder) {
    if (exists && (await stat(target)).isDirectory()) {
      // A folder cannot be renamed over; treat it like a folder replacement.
      return publish(temp, target, parent, true, true);
    }
    await rename(temp, target);
    return;
  }
  const old = path.join(parent, tempName(OLD_PREFIX, target));
  await rename(target, old);
  try {
    await rename(temp, target);
  } catch (error) {
    await rename(old, target);
    throw error;
  }
  await rm(old, { recursive: true, force: true });
}

/**
 * Writes `files` (relative name → bytes) into a temp folder beside `target`, after checking the
 * target as `writeFolderAtomic` does. Nothing is at `target` yet; on failure the temp is removed.
 */
export async function stageFolder(target: string, files: ReadonlyMap<string, Uint8Array>, options: AtomicOptions = {}): Promise<StagedOutput> {
  await prepare(target, options.force === true);
  const write = options.writeFile ?? writeFileDurable;
  const temp = tempPathOf(target, options.tempId ?? newTempId());
  let current = temp;
  try {
    await mkdir(temp);
    for (const [name, data] of files) {
      current = path.join(temp, name);
      await write(current, data);
    }
    await syncFolder(temp);
    return { target: path.resolve(target), temp, isFolder: true };
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error instanceof WorkbenchError ? error : writeFailure(target, current, error);
  }
}

/** Writes `data` into a temp file beside `target`, after checking the target; on failure the temp is removed. */
export async function stageFile(target: string, data: Uint8Array, options: AtomicOptions = {}): Promise<StagedOutput> {
  await prepare(target, options.force === true);
  const write = options.writeFile ?? writeFileDurable;
  const temp = tempPathOf(target, options.tempId ?? newTempId());
  try {
    await write(temp, data);
    return { target: path.resolve(target), temp, isFolder: false };
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error instanceof WorkbenchError ? error : writeFailure(target, target, error);
  }
}

/**
 * Renames a staged output into place, replacing what is there when `force` allows it; the target is
 * checked again, as something may have appeared there while the output was written. On failure the
 * temp is removed and the target is as it was.
 */
export async function publishStaged(staged: StagedOutput, options: { force?: boolean } = {}): Promise<void> {
  const { target, temp, isFolder } = staged;
  const parent = path.dirname(target);
  try {
    const exists = await stat(target).then(
      () => true,
      () => false,
    );
    if (exists && options.force !== true) throw alreadyExists(target);
    await publish(temp, target, parent, exists, isFolder);
    await syncFolder(parent);
  } catch (error) {
    await discardStaged(staged);
    throw error instanceof WorkbenchError ? error : writeFailure(target, target, error);
  }
}

/** Removes a staged output's temp (also one a killed writer left half-written); the target is not touched. */
export async function discardStaged(staged: Pick<StagedOutput, 'temp'>): Promise<void> {
  await rm(staged.temp, { recursive: true, force: true });
}

/**
 * Writes `files` (relative name → bytes) as the folder `target`, all or nothing.
 *
 * Args:
 *   target: the folder to create.
 *   files: the folder's contents; names may not contain separators.
 *   options: `force` to replace an existing target, `writeFile` to write through another function.
 */
export async function writeFolderAtomic(target: string, files: ReadonlyMap<string, Uint8Array>, options: AtomicOptions = {}): Promise<void> {
  await publishStaged(await stageFolder(target, files, options), options);
}

/** Writes one file `target` all or nothing (a temp file beside it, then rename). */
export async function writeFileAtomic(target: string, data: Uint8Array, options: AtomicOptions = {}): Promise<void> {
  await publishStaged(await stageFile(target, data, options), options);
}
