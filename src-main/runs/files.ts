/**
 * Atomic file writes for run folders: every file is written to a temp file in the same folder and
 * renamed over the target, so a crash leaves either the old file or the new one, whole.
 */
import { randomUUID } from 'node:crypto';
import { open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Marks temp files so a later start can sweep the ones a crash left behind. */
export const TEMP_MARKER = '.tmp-';

/** Writes `data` to `file` atomically, flushing it to disk before the rename. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const temp = path.join(path.dirname(file), `${TEMP_MARKER}${path.basename(file)}-${process.pid}-${randomUUID().slice(0, 8)}`);
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

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

/** Removes temp files that writers which have since died left in `dir`; live writers' temps stay. */
export async function removeStrayTemps(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  const stray = names.filter((name) => {
    if (!name.startsWith(TEMP_MARKER)) return false;
    const pid = Number(/-(\d+)-[0-9a-f]{8}$/.exec(name)?.[1]);
    return !Number.isInteger(pid) || !isProcessAlive(pid);
  });
  await Promise.all(stray.map((name) => rm(path.join(dir, name), { force: true, recursive: true })));
}
