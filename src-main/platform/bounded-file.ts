/**
 * Opening a file for reading, safely: it must be a regular file (after following symlinks) of at most
 * a given size, checked on the opened descriptor itself, before a byte is read. A FIFO, a device, a
 * socket or a folder gets a clear message instead of a read that blocks or never ends (`/dev/zero`),
 * and a file too large for its kind is refused from its size, not after it fills the memory.
 *
 * Every read of a path the user or a file on disk names goes through here.
 */
import { closeSync, constants, createReadStream, fstatSync, openSync, readSync, statSync, type ReadStream, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { WorkbenchError } from '../../src-shared/errors';
import { formatBytes } from '../../src-shared/limits';

export interface RegularFileOptions {
  /** What the file should be, completing "expected …": `the model's model.json`. */
  what: string;
  /** The most bytes a file of this kind may have. */
  maxBytes: number;
}

/** No size bound: for files that are streamed through a parser with bounds of its own (a dataset archive). */
export const UNBOUNDED = Number.MAX_SAFE_INTEGER;

/**
 * What a path is, in words: "a named pipe (FIFO)", "a character device"… never "a file" for something
 * that is not one.
 */
export function describeFileKind(info: Pick<Stats, 'isFile' | 'isDirectory' | 'isFIFO' | 'isCharacterDevice' | 'isBlockDevice' | 'isSocket' | 'isSymbolicLink'>): string {
  if (info.isFile()) return 'a file';
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  if (info.isSymbolicLink()) return 'a symbolic link';
  return 'a special file';
}

// Opening a FIFO for reading blocks until a writer appears; non-blocking, the open returns at once and the
// descriptor's type is checked before any read. (Windows has no O_NONBLOCK and no FIFOs to block on.)
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

function openError(file: string, what: string, error: unknown): WorkbenchError {
  if (error instanceof WorkbenchError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  // A socket cannot be opened at all (ENXIO): say what it is rather than the errno.
  const kind = code === 'ENXIO' || code === 'EOPNOTSUPP' ? statSync(file, { throwIfNoEntry: false }) : undefined;
  if (kind !== undefined && !kind.isFile()) return new WorkbenchError('bad_input', `${file}: expected ${what}, a regular file. Received: ${describeFileKind(kind)}`);
  const received =
    code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ELOOP' ? 'a loop of symbolic links' : (code ?? 'an unreadable path');
  return new WorkbenchError(code === 'ENOENT' ? 'not_found' : 'bad_input', `${file}: expected ${what}. Received: ${received}`);
}

/** Checks an opened descriptor's kind and size; throws the app's message for anything else. */
function checkOpened(file: string, info: Stats, { what, maxBytes }: RegularFileOptions): void {
  if (!info.isFile()) throw new WorkbenchError('bad_input', `${file}: expected ${what}, a regular file. Received: ${describeFileKind(info)}`);
  if (info.size > maxBytes) throw new WorkbenchError('bad_input', `${file}: expected ${what} of at most ${formatBytes(maxBytes)}. Received: ${formatBytes(info.size)}`);
}

/** Opens a regular file of bounded size for reading; the caller closes the handle. */
export async function openRegularFile(file: string, options: RegularFileOptions): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(file, OPEN_FLAGS);
  } catch (error) {
    throw openError(file, options.what, error);
  }
  try {
    const info = await handle.stat();
    checkOpened(file, info, options);
    return { handle, size: info.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

function tooLong(file: string, { what, maxBytes }: RegularFileOptions): WorkbenchError {
  return new WorkbenchError('bad_input', `${file}: expected ${what} of at most ${formatBytes(maxBytes)}. Received: more (it grew while being read)`);
}

/**
 * Reads a whole regular file of at most `maxBytes`. The read itself stops at the bound too, so a file
 * that grows after the check (or reports size 0, as /proc files do) cannot take more.
 */
export async function readRegularFile(file: string, options: RegularFileOptions): Promise<Buffer> {
  const { handle, size } = await openRegularFile(file, options);
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(size - total, 64 * 1024), 16 * 1024 * 1024));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > options.maxBytes) throw tooLong(file, options);
      chunks.push(chunk.subarray(0, bytesRead));
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  } catch (error) {
    throw error instanceof WorkbenchError ? error : openError(file, options.what, error);
  } finally {
    await handle.close();
  }
}

/** `readRegularFile` decoded as UTF-8. */
export async function readRegularText(file: string, options: RegularFileOptions): Promise<string> {
  return (await readRegularFile(file, options)).toString('utf8');
}

/** `readRegularFile`, synchronously: for loops over thousands of small files in a worker (aclImdb reviews). */
export function readRegularFileSync(file: string, options: RegularFileOptions): Buffer {
  let fd: number;
  try {
    fd = openSync(file, OPEN_FLAGS);
  } catch (error) {
    throw openError(file, options.what, error);
  }
  try {
    const info = fstatSync(fd);
    checkOpened(file, info, options);
    const buffer = Buffer.allocUnsafe(info.size);
    let total = 0;
    while (total < buffer.length) {
      const read = readSync(fd, buffer, total, buffer.length - total, null);
      if (read === 0) break;
      total += read;
    }
    if (total === buffer.length && readSync(fd, Buffer.alloc(1), 0, 1, null) > 0) throw tooLong(file, options);
    return buffer.subarray(0, total);
  } finally {
    closeSync(fd);
  }
}

/**
 * A read stream over a regular file, checked as above; `maxBytes` bounds the file's size (a streaming
 * parser bounds what it makes of the bytes itself).
 */
export async function openRegularStream(file: string, options: RegularFileOptions & { highWaterMark?: number; signal?: AbortSignal; start?: number; end?: number }): Promise<ReadStream> {
  const { handle, size } = await openRegularFile(file, options);
  // A FIFO cannot get here; for a regular file O_NONBLOCK changes nothing, and the stream closes the handle.
  return createReadStream('', { fd: handle, highWaterMark: options.highWaterMark, signal: options.signal, start: options.start, end: options.end ?? Math.max(0, Math.min(size, options.maxBytes) - 1) });
}
