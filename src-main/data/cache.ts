/**
 * The dataset cache: one file per (content fingerprint, options) in `<dataDir>/cache/`, written to a temp
 * file beside it and renamed into place, so a reader sees the old file, the new file or none. Every entry
 * carries its key and a CRC-32 of its tensors; a foreign, stale or damaged entry reads as a miss.
 */
import { mkdir, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type { TokenizerSpec } from '../../src-shared/data';
import type { WorkbenchError } from '../../src-shared/errors';
import { removeStrayTemps, removeTaggedTemps, writeFileAtomic } from '../platform/atomic-file';
import { openRegularFile, UNBOUNDED } from '../platform/bounded-file';
import type { BuiltDataset, DatasetStats, SplitTensors } from './build';

const MAGIC = Buffer.from('RNNWBDS1', 'latin1');
const FORMAT_VERSION = 1;

interface CacheHeader {
  formatVersion: number;
  key: string;
  littleEndian: true;
  stats: DatasetStats;
  tokenizer: TokenizerSpec;
  maxlen: number;
  counts: { train: number; test: number };
  payloadBytes: number;
  crc32: number;
}

function cacheFolder(dataDir: string): string {
  return path.join(dataDir, 'cache');
}

export function cacheFileFor(dataDir: string, key: string): string {
  return path.join(cacheFolder(dataDir), `dataset-${key.slice(0, 40)}.bin`);
}

function sections(d: BuiltDataset): Uint8Array[] {
  const bytes = (a: Int32Array | Uint8Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return [bytes(d.train.x), bytes(d.test.x), d.train.y, d.test.y, d.train.rating, d.test.rating];
}

/** Writes an entry atomically; `tempTag` names the temp file so whoever started the writer can remove it if the writer dies. */
export async function writeCache(dataDir: string, key: string, dataset: BuiltDataset, tempTag: string): Promise<string> {
  const file = cacheFileFor(dataDir, key);
  await mkdir(path.dirname(file), { recursive: true });
  const parts = sections(dataset);
  let checksum = 0;
  let payloadBytes = 0;
  for (const part of parts) {
    // node:zlib's crc32 returns 0 for an empty input whatever the running value, so empty parts are skipped.
    if (part.byteLength > 0) checksum = crc32(part, checksum);
    payloadBytes += part.byteLength;
  }
  const header: CacheHeader = {
    formatVersion: FORMAT_VERSION,
    key,
    littleEndian: true,
    stats: dataset.stats,
    tokenizer: dataset.tokenizer,
    maxlen: dataset.maxlen,
    counts: { train: dataset.train.count, test: dataset.test.count },
    payloadBytes,
    crc32: checksum,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  // The payload starts on an 8-byte boundary so the Int32 tensors can be viewed in place when read.
  const headerLength = Math.ceil((MAGIC.length + 4 + json.length) / 8) * 8 - MAGIC.length - 4;
  const lengthField = Buffer.alloc(4);
  lengthField.writeUInt32LE(headerLength);
  const paddedJson = Buffer.alloc(headerLength, 0x20);
  json.copy(paddedJson);
  await writeFileAtomic(file, [MAGIC, lengthField, paddedJson, ...parts], { tempTag });
  return file;
}

/** The largest header an entry may have: the preview and a 10,000-word vocabulary take well under 1 MB. */
const MAX_HEADER_BYTES = 64 * 1024 * 1024;

/**
 * Reads an entry, or null when there is none or it is not a whole, matching entry (which is then removed).
 * The header is read and checked against the file size first, so a foreign file is never read whole.
 */
export async function readCache(dataDir: string, key: string): Promise<BuiltDataset | null> {
  const file = cacheFileFor(dataDir, key);
  let handle;
  try {
    // Bounded by the header check below, not by size: an entry is as large as its dataset.
    ({ handle } = await openRegularFile(file, { what: 'a dataset cache entry', maxBytes: UNBOUNDED }));
  } catch (error) {
    if ((error as WorkbenchError).code === 'not_found') return null;
    throw error;
  }
  let dataset: BuiltDataset | null;
  try {
    dataset = await decode(handle, key);
  } finally {
    await handle.close();
  }
  if (dataset === null) await rm(file, { force: true });
  return dataset;
}

/** Fills `target` from `position`; false when the file ends first. */
async function readInto(handle: FileHandle, target: Uint8Array, position: number): Promise<boolean> {
  let done = 0;
  while (done < target.length) {
    // One read is at most 1 GiB: larger lengths are out of fs.read's range.
    const { bytesRead } = await handle.read(target, done, Math.min(target.length - done, 1 << 30), position + done);
    if (bytesRead === 0) return false;
    done += bytesRead;
  }
  return true;
}

async function readExactly(handle: FileHandle, length: number, position: number): Promise<Buffer | null> {
  const buffer = Buffer.alloc(length);
  return (await readInto(handle, buffer, position)) ? buffer : null;
}

async function decode(handle: FileHandle, key: string): Promise<BuiltDataset | null> {
  const { size } = await handle.stat();
  const prefix = await readExactly(handle, MAGIC.length + 4, 0);
  if (prefix === null || !prefix.subarray(0, MAGIC.length).equals(MAGIC)) return null;
  const headerLength = prefix.readUInt32LE(MAGIC.length);
  const payloadStart = MAGIC.length + 4 + headerLength;
  if (headerLength > MAX_HEADER_BYTES || payloadStart > size) return null;
  const headerBytes = await readExactly(handle, headerLength, MAGIC.length + 4);
  if (headerBytes === null) return null;
  let header: CacheHeader;
  try {
    header = JSON.parse(headerBytes.toString('utf8')) as CacheHeader;
  } catch {
    return null;
  }
  if (header.formatVersion !== FORMAT_VERSION || header.key !== key || header.littleEndian !== true) return null;
  const { train, test } = header.counts;
  const maxlen = header.maxlen;
  const expected = 4 * maxlen * (train + test) + 2 * (train + test);
  if (header.payloadBytes !== expected || size !== payloadStart + expected) return null;
  // Each tensor is read straight into memory of its own (transferable alone, and no 100 MB copy out of a Buffer).
  let at = payloadStart;
  let checksum = 0;
  const take = async (bytes: number): Promise<ArrayBuffer | null> => {
    const memory = new ArrayBuffer(bytes);
    const view = new Uint8Array(memory);
    if (!(await readInto(handle, view, at))) return null;
    at += bytes;
    checksum = await chunkedCrc32(view, checksum);
    return memory;
  };
  const parts: ArrayBuffer[] = [];
  for (const bytes of [4 * maxlen * train, 4 * maxlen * test, train, test, train, test]) {
    const part = await take(bytes);
    if (part === null) return null;
    parts.push(part);
  }
  if (checksum !== header.crc32) return null;
  const [trainX, testX] = parts.slice(0, 2).map((b) => new Int32Array(b)) as [Int32Array, Int32Array];
  const [trainY, testY, trainR, testR] = parts.slice(2).map((b) => new Uint8Array(b)) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const split = (x: Int32Array, y: Uint8Array, rating: Uint8Array, count: number): SplitTensors => ({ x, y, rating, count });
  return {
    stats: header.stats,
    tokenizer: header.tokenizer,
    maxlen,
    train: split(trainX, trainY, trainR, train),
    test: split(testX, testY, testR, test),
  };
}

/**
 * Removes temp files whose writer is gone: the tag starts with the writing process's pid, so a file left by a
 * process that was killed mid-write is recognised on the next open. Files of live processes are left alone.
 */
export async function removeOrphanedTemps(dataDir: string): Promise<void> {
  await removeStrayTemps(cacheFolder(dataDir));
}

/** CRC-32 in slices with a turn of the event loop between them, so a cache check on the main thread stays responsive. */
async function chunkedCrc32(data: Uint8Array, running: number): Promise<number> {
  const slice = 8 * 1024 * 1024;
  let value = running;
  for (let at = 0; at < data.length; at += slice) {
    value = crc32(data.subarray(at, at + slice), value);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return value;
}

/** Removes the temp file of a writer that died (a terminated worker, a killed process) with this tag. */
export async function removeTemps(dataDir: string, tempTag: string): Promise<void> {
  await removeTaggedTemps(cacheFolder(dataDir), tempTag);
}
