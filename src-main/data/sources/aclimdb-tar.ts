/**
 * The official `aclImdb_v1.tar.gz`, streamed: never unpacked to disk. Review files are decoded in memory;
 * everything else (unsup, vocab, feat files) is drained unread. Entries that could escape a folder on
 * extraction (`..`, absolute paths, links, devices) are refused even though nothing is extracted: an
 * archive carrying them is not the official one.
 */
import { stat } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tarStream from 'tar-stream';
import { WorkbenchError } from '../../../src-shared/errors';
import { openRegularStream, UNBOUNDED } from '../../platform/bounded-file';
import {
  badFile,
  canonicalOrder,
  classifyReviewPath,
  requireAclImdb,
  type KeyedReview,
  type ReadContext,
  type TextSource,
} from './types';

const MAX_PATH_LENGTH = 1024;
const MAX_PATH_DEPTH = 32;

/** Why an entry path is unsafe, or null. */
export function unsafeEntryPath(name: string): string | null {
  if (name.includes('\0')) return 'a NUL byte';
  if (name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:/.test(name)) return 'an absolute path';
  const parts = name.split(/[\\/]/);
  if (parts.includes('..')) return 'a ../ component';
  if (name.length > MAX_PATH_LENGTH || parts.length > MAX_PATH_DEPTH) return `a path deeper than ${MAX_PATH_DEPTH} folders or longer than ${MAX_PATH_LENGTH} characters`;
  return null;
}

/** Zero bytes in a row that no review archive has: tar ends with at most a few blocks of zero padding. */
const MAX_ZERO_RUN = 16 * 1024 * 1024;
const ZEROS = Buffer.alloc(1 << 20);

/**
 * Counts expanded bytes and stops the stream at the cap, or at a long run of zeros (the cheapest bomb, and
 * slow to walk through as empty tar headers): a gzip bomb ends here, not in memory.
 */
class ByteCap extends Transform {
  total = 0;
  private zeroRun = 0;
  constructor(
    private readonly cap: number,
    private readonly onCap: (reason: 'size' | 'zeros') => Error,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.total += chunk.length;
    // memcmp against zeros stops at the first non-zero byte, so review data costs next to nothing here.
    const allZero = chunk.length <= ZEROS.length && chunk.equals(ZEROS.subarray(0, chunk.length));
    this.zeroRun = allZero ? this.zeroRun + chunk.length : 0;
    if (this.total > this.cap) callback(this.onCap('size'));
    else if (this.zeroRun > MAX_ZERO_RUN) callback(this.onCap('zeros'));
    else callback(null, chunk);
  }
}

export async function readAclImdbTar(file: string, gzipped: boolean, ctx: ReadContext): Promise<TextSource> {
  const { limits } = ctx;
  const totalBytes = (await stat(file)).size;
  const train: KeyedReview[] = [];
  const test: KeyedReview[] = [];
  const decoder = new TextDecoder('utf-8');
  let entries = 0;
  let compressedBytes = 0;
  let lastReport = 0;

  const input = await openRegularStream(file, { what: 'an aclImdb archive', maxBytes: UNBOUNDED, highWaterMark: 1 << 20, signal: ctx.signal });
  input.on('data', (chunk) => {
    compressedBytes += chunk.length;
  });
  const cap = new ByteCap(limits.maxExpandedBytes, (reason) =>
    reason === 'size'
      ? badFile(file, `expected an archive that expands to at most ${limits.maxExpandedBytes} bytes. Received: more than that (a compression bomb or not a review archive).`)
      : badFile(file, `expected a tar archive of review files. Received: more than ${MAX_ZERO_RUN} zero bytes in a row (a compression bomb or an empty disk image).`),
  );
  const extract = tarStream.extract();

  extract.on('entry', (header, stream, next) => {
    entries++;
    // Destroying the extractor also destroys this entry with the same error; the pipeline reports it once.
    stream.on('error', () => {});
    const fail = (error: Error): void => {
      stream.resume();
      extract.destroy(error);
    };
    if (entries > limits.maxEntries) return fail(badFile(file, `expected an archive of at most ${limits.maxEntries} entries. Received: more.`));
    const unsafe = unsafeEntryPath(header.name);
    if (unsafe !== null) return fail(badFile(file, `expected archive entries with relative paths inside the archive. Received: entry ${JSON.stringify(header.name.slice(0, 200))} with ${unsafe}.`));
    if (header.type !== 'file' && header.type !== 'directory' && header.type !== 'contiguous-file') {
      return fail(badFile(file, `expected only files and folders in the archive. Received: ${header.type} entry ${JSON.stringify(header.name.slice(0, 200))}.`));
    }
    const review = header.type === 'directory' ? null : classifyReviewPath(header.name);
    if (review === null) {
      stream.on('end', next);
      stream.resume();
      return;
    }
    if ((header.size ?? 0) > limits.maxReviewBytes) {
      return fail(badFile(file, `expected review files of at most ${limits.maxReviewBytes} bytes. Received: ${header.name} with ${header.size} bytes.`));
    }
    const chunks: Buffer[] = [];
    stream.on('data', (chunk) => {
      chunks.push(chunk as Buffer);
    });
    stream.on('end', () => {
      const text = decoder.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      (review.split === 'train' ? train : test).push({ row: ctx.texts.add(text), label: review.label, rating: review.rating, id: review.id });
      if (entries - lastReport >= 500) {
        lastReport = entries;
        ctx.onProgress({ phase: 'reading', files: train.length + test.length, bytes: compressedBytes, totalBytes });
      }
      next();
    });
  });

  try {
    await pipeline(gzipped ? [input, createGunzip({ chunkSize: 1 << 18 }), cap, extract] : [input, cap, extract]);
  } catch (error) {
    throw describeStreamError(file, gzipped, error);
  }
  requireAclImdb(file, gzipped ? 'archive (aclImdb_v1.tar.gz)' : 'tar archive', train, test, entries);
  ctx.onProgress({ phase: 'reading', files: train.length + test.length, bytes: totalBytes, totalBytes });
  return { kind: 'text', format: 'aclImdb-tar', texts: ctx.texts, train: canonicalOrder(train), test: canonicalOrder(test) };
}

function describeStreamError(file: string, gzipped: boolean, error: unknown): Error {
  if (error instanceof WorkbenchError) return error;
  const e = error as NodeJS.ErrnoException;
  if (e.name === 'AbortError') return new WorkbenchError('cancelled', 'Opening the dataset was cancelled.');
  if (e.code === 'Z_BUF_ERROR' || /unexpected end/i.test(e.message)) {
    return badFile(file, `expected a complete ${gzipped ? 'gzip-compressed ' : ''}tar archive. Received: a truncated file (${e.message}).`);
  }
  if (typeof e.code === 'string' && e.code.startsWith('Z_')) {
    return badFile(file, `expected a valid gzip-compressed tar archive. Received: corrupt compressed data (${e.message}).`);
  }
  if (typeof e.code === 'string' && e.code.startsWith('E')) return badFile(file, `could not be read (${e.code}: ${e.message}).`);
  return badFile(file, `expected a valid tar archive. Received: ${e.message}.`);
}
