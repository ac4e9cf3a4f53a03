/**
 * Project files on disk: read with a size cap, validated before every write, written atomically. A
 * project sits in a folder of the user's, so only this project's own temp files are ever swept there.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { MAX_PROJECT_BYTES, type DesktopOpenedFile } from '../../src-shared/desktop-api';
import { WorkbenchError } from '../../src-shared/errors';
import { parseProject } from '../../src-shared/project';
import { TEMP_MARKER, isProcessAlive, writeFileAtomic } from '../platform/atomic-file';
import { describeFileKind, readRegularText } from '../platform/bounded-file';

/** What an errno means to someone choosing a file. */
function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'a folder';
  if (code === 'ENOSPC') return 'the disk is full';
  if (code === 'EROFS') return 'a read-only file system';
  return code ?? (error instanceof Error ? error.message : String(error));
}

/**
 * Removes the temp files that `writeFileAtomic` left beside `file` when its writer was killed
 * mid-write (`.tmp-<name>-<pid>-<8 hex>` with a dead pid). Other files in the folder, even other temps,
 * are not ours to judge and stay.
 */
export async function removeStrayTempsOf(file: string): Promise<void> {
  const dir = path.dirname(file);
  const prefix = `${TEMP_MARKER}${path.basename(file)}-`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    // A folder we cannot list holds no temps of ours to sweep; the write that follows reports the problem.
    return;
  }
  const stray = names.filter((name) => {
    if (!name.startsWith(prefix)) return false;
    const tail = /^(\d+)-[0-9a-f]{8}$/.exec(name.slice(prefix.length));
    return tail !== null && !isProcessAlive(Number(tail[1]));
  });
  await Promise.all(stray.map((name) => rm(path.join(dir, name), { force: true })));
}

/**
 * Reads a project file's text, refusing anything larger than a project can be, and sweeps the temp
 * files an earlier save of it left when it was killed.
 */
export async function readProjectFile(file: string): Promise<DesktopOpenedFile> {
  const info = await stat(file).catch((error: unknown) => {
    throw new WorkbenchError((error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not_found' : 'bad_input', `${file}: expected a project file to open. Received: ${describeFsError(error)}`);
  });
  if (!info.isFile()) throw new WorkbenchError('bad_input', `${file}: expected a project file to open. Received: ${describeFileKind(info)}`);
  if (info.size > MAX_PROJECT_BYTES) throw new WorkbenchError('bad_input', `${file} is not a project file: expected at most ${MAX_PROJECT_BYTES} bytes of JSON. Received: ${info.size} bytes`);
  const text = await readRegularText(file, { what: 'a project file you may read', maxBytes: MAX_PROJECT_BYTES });
  await removeStrayTempsOf(file);
  return { name: path.basename(file), path: file, text };
}

/**
 * Writes a project file atomically (temp file in the same folder, flushed, renamed over the old one),
 * so a crash mid-save leaves the old file or the new one, whole. The text must read as a project
 * first: a save never replaces a good file with a broken one.
 */
export async function writeProjectFile(file: string, text: string): Promise<void> {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_PROJECT_BYTES) throw new WorkbenchError('bad_input', `${file}: expected a project of at most ${MAX_PROJECT_BYTES} bytes of JSON. Received: ${bytes} bytes`);
  parseProject(text, file);
  await removeStrayTempsOf(file);
  await writeFileAtomic(file, text).catch((error: unknown) => {
    throw new WorkbenchError('bad_input', `${file}: expected a place where the project may be saved. Received: ${describeFsError(error)}`);
  });
}
