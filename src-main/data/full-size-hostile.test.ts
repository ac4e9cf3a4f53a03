/**
 * The hostile files of full size, with the default limits, through the parser process with a small heap:
 * each must end in its bounded error, not an out-of-memory, and leave nothing in the cache. Slow (about half
 * a minute and 0.5 GB of temp disk), so it runs where RNN_WORKBENCH_FULL_SIZE=1 is set, as CI does.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetOptions } from '../../src-shared/data';
import { loadDataset } from './index';
import { makeTar } from './test-fixtures';

const enabled = process.env.RNN_WORKBENCH_FULL_SIZE === '1';
const OPTIONS: DatasetOptions = { maxFeatures: 100, maxlen: 10 };
// Far below what the readers would need if they held these files: an unbounded read ends in out-of-memory.
const HEAP_MB = 192;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rnnwb-full-size-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Writes `count` copies of `chunk` to a file, streaming, so the test process never holds the whole file. */
async function writeRepeated(name: string, parts: { head?: Buffer; chunk: Buffer; count: number; tail?: Buffer }): Promise<string> {
  const file = path.join(dir, name);
  const out = createWriteStream(file);
  if (parts.head) out.write(parts.head);
  for (let i = 0; i < parts.count; i++) if (!out.write(parts.chunk)) await once(out, 'drain');
  if (parts.tail) out.write(parts.tail);
  out.end();
  await once(out, 'finish');
  return file;
}

/** Opens `file` in the parser process; resolves with the error message and the seconds it took. */
async function refusal(file: string): Promise<{ message: string; seconds: number }> {
  const dataDir = path.join(dir, 'home');
  const started = performance.now();
  const error = await loadDataset(file, OPTIONS, { dataDir, heapMb: HEAP_MB }).then(
    () => new Error('opened'),
    (e: Error) => e,
  );
  const seconds = (performance.now() - started) / 1000;
  const cache = await readdir(path.join(dataDir, 'cache')).catch(() => []);
  expect(cache).toEqual([]);
  console.log(`${path.basename(file)}: refused in ${seconds.toFixed(1)} s: ${error.message}`);
  return { message: error.message, seconds };
}

describe.skipIf(!enabled)(`full-size hostile files${enabled ? '' : ' — skipped: set RNN_WORKBENCH_FULL_SIZE=1 (CI does)'}`, () => {
  it('a CSV with a 500 MB line stops at the record cap', async () => {
    const file = await writeRepeated('long-line.csv', { head: Buffer.from('review,sentiment\n'), chunk: Buffer.alloc(1024 * 1024, 'a'), count: 500, tail: Buffer.from(',positive\n') });
    expect((await refusal(file)).message).toMatch(new RegExp(`^${file}: expected CSV records of at most 4194304 characters`));
  });

  it('a tar of a million entries stops at the entry cap', async () => {
    // One empty entry's 512-byte header, 2,048 to a gzip member, 489 members (concatenated members are one gzip stream).
    const header = (await makeTar([{ name: 'aclImdb/train/unsup/0_0.txt', body: '' }], false)).subarray(0, 512);
    const member = gzipSync(Buffer.concat(Array.from({ length: 2048 }, () => header)));
    const file = await writeRepeated('million.tar.gz', { chunk: member, count: 489 });
    expect((await refusal(file)).message).toBe(`${file}: expected an archive of at most 400000 entries. Received: more.`);
  });

  it('a gzip bomb that expands to 3 GB of non-review files stops at the expansion cap', async () => {
    // A 3 MB file entry of one repeated byte (no zero run to catch early), gzipped once and repeated 1,024 times.
    const entry = (await makeTar([{ name: 'aclImdb/padding/blob.bin', body: Buffer.alloc(3 * 1024 * 1024, 'A') }], false)).subarray(0, 512 + 3 * 1024 * 1024);
    const file = await writeRepeated('bomb.tar.gz', { chunk: gzipSync(entry, { level: 9 }), count: 1024 });
    expect((await refusal(file)).message).toBe(
      `${file}: expected an archive that expands to at most 1073741824 bytes. Received: more than that (a compression bomb or not a review archive).`,
    );
  });
});
