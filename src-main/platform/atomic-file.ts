/**
 * Atomic file writes: every file is written to a temp file in the same folder, flushed, and renamed over
 * the target, so a crash leaves either the old file or the new one, whole. Temp names carry the writer's
 * pid, so a later sweep can remove the ones a killed writer left behind and leave live writers' alone.
 */
import { randomUUID } from 'node:crypto';
import { open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Marks temp files so a later start can sweep the ones a crash left behind. */
export const TEMP_MARKER = '.tmp-';

/** Bytes to write: text (UTF-8), one buffer, or buffers written back to back in one call. */
export type FileData = string | Uint8Array | readonly Uint8Array[];

/** Whether a process with this id is running (signal 0 probes without signalling). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Writes `data` to `file` and flushes it to disk before closing, so a rename that follows never publishes
 * unflushed data. `flags` is `wx` by default: an existing file is refused rather than overwritten.
 */
export async function writeFileDurable(file: string, data: FileData, flags: 'w' | 'wx' = 'wx'): Promise<void> {
  const handle = await open(file, flags);
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) await handle.writeFile(data);
    else await handle.writev(data as Uint8Array[]);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface AtomicWriteOptions {
  /**
   * Names the temp file `<name>.tmp-<tempTag>` instead of `.tmp-<name>-<pid>-<8 hex>`, for a writer whose
   * pid does not identify it (a worker thread): whoever started it can then remove its temp by the tag.
   * The tag should start with the writing process's pid, so `removeStrayTemps` recognises it too.
   */
  tempTag?: string;
}

/** The temp file a write to `file` goes through. */
function tempFileFor(file: string, tempTag: string | undefined): string {
  if (tempTag !== undefined) return `${file}${TEMP_MARKER}${tempTag}`;
  return path.join(path.dirname(file), `${TEMP_MARKER}${path.basename(file)}-${process.pid}-${randomUUID().slice(0, 8)}`);
}

/** Writes `data` to `file` atomically, flushing it to disk before the rename; the temp file never outlives a failure. */
export async function writeFileAtomic(file: string, data: FileData, options: AtomicWriteOptions = {}): Promise<void> {
  const temp = tempFileFor(file, options.tempTag);
  try {
    // `w`: a tagged temp left by a killed writer with the same tag is overwritten, not refused.
    await writeFileDurable(temp, data, 'w');
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * The pid of the process that wrote a temp entry: `.tmp-<name>-<pid>-<8 hex>` (NaN when that tail is
 * missing), or `<name>.tmp-<tag>` with the tag starting with the pid (undefined when it does not, as the
 * owner cannot be told then). Undefined for names that are not temps.
 */
function writerPid(name: string): number | undefined {
  if (name.startsWith(TEMP_MARKER)) return Number(/-(\d+)-[0-9a-f]{8}$/.exec(name)?.[1]);
  const at = name.indexOf(TEMP_MARKER);
  if (at < 0) return undefined;
  const pid = Number.parseInt(name.slice(at + TEMP_MARKER.length), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The entries of `dir`; none when it is missing or unreadable, as then there is nothing to sweep. */
async function entriesOf(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

/** Removes temp files and folders that writers which have since died left in `dir`; live writers' temps stay. */
export async function removeStrayTemps(dir: string): Promise<void> {
  const names = await entriesOf(dir);
  const stray = names.filter((name) => {
    const pid = writerPid(name);
    return pid !== undefined && (!Number.isInteger(pid) || !isProcessAlive(pid));
  });
  await Promise.all(stray.map((name) => rm(path.join(dir, name), { force: true, recursive: true })));
}

/** Removes the temp files written with `tempTag` in `dir`: those of a writer that was stopped mid-write. */
export async function removeTaggedTemps(dir: string, tempTag: string): Promise<void> {
  const names = await entriesOf(dir);
  await Promise.all(names.filter((name) => name.endsWith(`${TEMP_MARKER}${tempTag}`)).map((name) => rm(path.join(dir, name), { force: true })));
}
