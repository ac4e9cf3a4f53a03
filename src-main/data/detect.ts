/** Recognises a dataset by content (magic bytes), not by its name. */
import { stat } from 'node:fs/promises';
import type { DatasetFormat } from '../../src-shared/data';
import { WorkbenchError } from '../../src-shared/errors';
import { describeFileKind, openRegularFile, UNBOUNDED } from '../platform/bounded-file';
import { badFile } from './sources/types';

const EXPECTED_FORMATS = 'an aclImdb archive (.tar.gz) or folder, a Keras imdb.npz, or a CSV of reviews and labels';

export interface Detected {
  format: DatasetFormat;
  /** For `aclImdb-tar`: whether the tar is gzip-compressed. */
  gzipped: boolean;
  size: number;
}

/** Turns a file-system error into a message that names the path and what was expected. */
export function describeFsError(file: string, error: unknown): Error {
  if (error instanceof WorkbenchError) return error;
  if ((error as Error).name === 'AbortError') return new WorkbenchError('cancelled', 'Opening the dataset was cancelled.');
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new WorkbenchError('not_found', `${file}: no such file or folder. Expected ${EXPECTED_FORMATS}.`);
  if (code === 'EACCES' || code === 'EPERM') return badFile(file, `permission denied: the app cannot read it. Expected a readable file or folder.`);
  if (code === 'EISDIR' || code === 'ENOTDIR') return badFile(file, `expected ${EXPECTED_FORMATS}. Received: ${code}.`);
  return error instanceof Error ? error : new Error(String(error));
}

export async function detectFormat(file: string): Promise<Detected> {
  let info;
  try {
    info = await stat(file);
  } catch (error) {
    throw describeFsError(file, error);
  }
  if (info.isDirectory()) return { format: 'aclImdb-folder', gzipped: false, size: 0 };
  if (!info.isFile()) throw badFile(file, `expected ${EXPECTED_FORMATS}. Received: ${describeFileKind(info)}.`);
  const head = Buffer.alloc(512);
  let read: number;
  try {
    const { handle } = await openRegularFile(file, { what: EXPECTED_FORMATS, maxBytes: UNBOUNDED });
    try {
      ({ bytesRead: read } = await handle.read(head, 0, head.length, 0));
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw describeFsError(file, error);
  }
  const bytes = head.subarray(0, read);
  if (read === 0) throw badFile(file, `expected ${EXPECTED_FORMATS}. Received: an empty file.`);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return { format: 'aclImdb-tar', gzipped: true, size: info.size };
  if (read >= 262 && bytes.subarray(257, 262).toString('latin1') === 'ustar') return { format: 'aclImdb-tar', gzipped: false, size: info.size };
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5)) return { format: 'keras-npz', gzipped: false, size: info.size };
  if (bytes.subarray(0, 6).toString('latin1') === '\x93NUMPY') {
    throw badFile(file, `expected a Keras imdb.npz (a zip of x_train, y_train, x_test, y_test). Received: a single .npy array.`);
  }
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  if (!utf16 && bytes.includes(0)) {
    throw badFile(file, `expected ${EXPECTED_FORMATS}. Received: binary data of an unknown kind (starting ${bytes.subarray(0, 8).toString('hex')}).`);
  }
  return { format: 'csv', gzipped: false, size: info.size };
}
