/**
 * Random and mutated bytes into every parser (detection, tar, npz + pickle, CSV): the only outcomes allowed
 * are a dataset or a typed WorkbenchError, never another exception and never a hang.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../src-shared/errors';
import { runDataJob } from './job';
import { readObjectArrayPickle } from './sources/pickle';
import { PickleError } from './sources/pickle';
import { aclImdbEntries, kerasNpz, makeTar, objectArrayPickle } from './test-fixtures';

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rnnwb-fuzz-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `FUZZ_SCALE=20 npx vitest run src-main/data/fuzz.test.ts` for a long run by hand. */
const scale = Number(process.env.FUZZ_SCALE ?? 1);

const limits = { maxExpandedBytes: 4 * 1024 * 1024, maxEntries: 1000, maxReviewBytes: 64 * 1024 };

/** Opens `bytes` as a dataset file; returns 'ok' or the error code, and fails on anything untyped. */
async function open(bytes: Uint8Array, name: string): Promise<string> {
  const file = path.join(dir, `${n++}-${name}`);
  await writeFile(file, bytes);
  const started = Date.now();
  try {
    await runDataJob({ path: file, options: { maxFeatures: 50, maxlen: 8 }, dataDir: path.join(dir, 'home'), limits, tempTag: 'fuzz' }, () => {});
    return 'ok';
  } catch (error) {
    if (!(error instanceof WorkbenchError)) throw error;
    expect(error.message.startsWith(file) || error.code === 'not_found').toBe(true);
    return error.code;
  } finally {
    expect(Date.now() - started).toBeLessThan(5000);
    await rm(file, { force: true });
  }
}

const mutate = (base: Uint8Array) =>
  fc
    .array(fc.tuple(fc.nat({ max: base.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })
    .chain((flips) => fc.nat({ max: base.length }).map((cut) => ({ flips, cut })))
    .map(({ flips, cut }) => {
      const copy = Uint8Array.from(base);
      for (const [at, value] of flips) copy[at] = value;
      return copy.subarray(0, Math.max(1, cut));
    });

const REVIEWS = { 'train/neg/0_1.txt': 'Bad, bad film.', 'train/pos/1_9.txt': 'A <br />great film!', 'test/pos/2_8.txt': 'great' };

describe('fuzzing the parsers', () => {
  it('random bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 2048 }), async (bytes) => void (await open(bytes, 'random.bin'))), { numRuns: 60 * scale });
  });

  it('mutated tar.gz archives', async () => {
    const base = await makeTar(aclImdbEntries(REVIEWS));
    await fc.assert(fc.asyncProperty(mutate(base), async (bytes) => void (await open(bytes, 'a.tar.gz'))), { numRuns: 60 * scale });
  });

  it('mutated plain tar archives', async () => {
    const base = await makeTar(aclImdbEntries(REVIEWS), false);
    await fc.assert(fc.asyncProperty(mutate(base), async (bytes) => void (await open(bytes, 'a.tar'))), { numRuns: 60 * scale });
  });

  it('mutated npz files (stored, so pickle bytes are hit directly)', async () => {
    const base = kerasNpz({ x: [[1, 2, 3], [4, 5]], y: [1, 0] }, { x: [[6]], y: [1] }, 2, { level: 0 });
    await fc.assert(fc.asyncProperty(mutate(base), async (bytes) => void (await open(bytes, 'imdb.npz'))), { numRuns: 80 * scale });
  });

  it('mutated CSV files', async () => {
    const base = Buffer.from('\ufeffreview,sentiment\r\n"good, ""fine""\nfilm",positive\r\nbad,negative\r\nok,positive\r\n');
    await fc.assert(fc.asyncProperty(mutate(base), async (bytes) => void (await open(bytes, 'r.csv'))), { numRuns: 80 * scale });
  });

  it('mutated pickles give only PickleErrors', () => {
    const base = objectArrayPickle([[1, 2, 300], [70000]], 4);
    fc.assert(
      fc.property(mutate(base), (bytes) => {
        try {
          readObjectArrayPickle(bytes, { maxElements: 10_000 });
        } catch (error) {
          if (!(error instanceof PickleError)) throw error;
        }
      }),
      { numRuns: 500 * scale },
    );
  });
});
