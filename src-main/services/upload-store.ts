/**
 * Files a browser sends to the web mode (a Keras model, its tokenizer or architecture JSON): streamed
 * into `<dataDir>/uploads/`, bounded by kind, read from there by the import and deleted after it.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { WorkbenchError } from '../../src-shared/errors';
import { formatBytes, MAX_FILE_BYTES, MAX_KERAS_FILE_BYTES } from '../../src-shared/limits';

/** What an upload is for, and so how large it may be. */
export const uploadKinds = { keras: MAX_KERAS_FILE_BYTES, tokenizer: MAX_FILE_BYTES.vocabulary, arch: MAX_FILE_BYTES.modelJson } as const;
export type UploadKind = keyof typeof uploadKinds;

const UPLOAD_ID = /^[0-9a-f]{24}$/;

/** An upload nobody imported within this time (the page was closed) is removed by the next upload. */
const ORPHAN_MS = 60 * 60 * 1000;

export class UploadStore {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'uploads');
  }

  /** The file of upload `id`, after checking the id cannot reach outside the folder. */
  file(id: string): string {
    if (!UPLOAD_ID.test(id)) throw new WorkbenchError('invalid_request', `upload must be an id the upload returned (24 hex digits). Received: ${JSON.stringify(id)}`);
    return path.join(this.dir, id);
  }

  /**
   * Streams a request body of `declared` bytes into a new upload and returns its id. Refuses a body
   * above the kind's bound before reading it, and one that runs past its declared length while read;
   * nothing is left behind when it fails.
   */
  async receive(body: Readable, kind: string, declared: number): Promise<string> {
    if (!Object.hasOwn(uploadKinds, kind)) throw new WorkbenchError('invalid_request', `kind must be one of ${Object.keys(uploadKinds).join(', ')}. Received: ${JSON.stringify(kind)}`);
    const max = uploadKinds[kind as UploadKind];
    if (!Number.isSafeInteger(declared) || declared <= 0 || declared > max) {
      throw new WorkbenchError('bad_input', `An uploaded ${kind} file must be 1 byte to ${formatBytes(max)}. Received: ${Number.isSafeInteger(declared) ? formatBytes(declared) : 'no Content-Length'}`);
    }
    await mkdir(this.dir, { recursive: true });
    await this.removeOrphans();
    const id = randomBytes(12).toString('hex');
    const file = this.file(id);
    let received = 0;
    try {
      await pipeline(
        body,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            received += chunk.length;
            if (received > declared) throw new WorkbenchError('bad_input', `An uploaded ${kind} file must be as long as its Content-Length ${declared}. Received: more`);
            yield chunk;
          }
        },
        createWriteStream(file, { flags: 'wx' }),
      );
      if (received !== declared) throw new WorkbenchError('bad_input', `An uploaded ${kind} file must be as long as its Content-Length ${declared}. Received: ${received} bytes`);
    } catch (error) {
      await rm(file, { force: true });
      throw error;
    }
    return id;
  }

  /** Deletes uploads once imported (or refused). */
  async remove(ids: readonly string[]): Promise<void> {
    await Promise.all(ids.map((id) => rm(this.file(id), { force: true })));
  }

  private async removeOrphans(): Promise<void> {
    const now = Date.now();
    for (const name of await readdir(this.dir)) {
      const file = path.join(this.dir, name);
      const info = await stat(file).catch(() => undefined);
      if (info !== undefined && now - info.mtimeMs > ORPHAN_MS) await rm(file, { force: true, recursive: true });
    }
  }
}
