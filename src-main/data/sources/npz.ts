/**
 * Keras' `imdb.npz`: a zip (stored or deflated) of `x_train.npy`, `y_train.npy`, `x_test.npy`, `y_test.npy`.
 * The zip directory is read here so that names, sizes and overlaps are checked before a byte is inflated;
 * inflation is capped at each entry's declared size (node:zlib `maxOutputLength`).
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';
import { MAX_FILE_BYTES } from '../../../src-shared/limits';
import { readRegularFile, readRegularText } from '../../platform/bounded-file';
import { RaggedInt32 } from '../keras-text';
import { PickleError, readObjectArrayPickle } from './pickle';
import { badFile, type IdSource, type ReadContext } from './types';
import { unsafeEntryPath } from './aclimdb-tar';

const KEYS = ['x_train', 'y_train', 'x_test', 'y_test'] as const;
const EXPECTED = 'a Keras imdb.npz (a zip of x_train, y_train, x_test, y_test)';

interface ZipEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** The entries of a zip's central directory, with zip64 sizes resolved. */
function readZipDirectory(file: string, zip: Buffer): ZipEntry[] {
  const tooShort = (): Error => badFile(file, `expected ${EXPECTED}. Received: a damaged zip (its directory is missing or truncated).`);
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw tooShort();
  let count = zip.readUInt16LE(eocd + 10);
  let dirOffset = zip.readUInt32LE(eocd + 16);
  if (dirOffset === 0xffffffff || count === 0xffff) {
    const locator = eocd - 20;
    if (locator < 0 || zip.readUInt32LE(locator) !== 0x07064b50) throw tooShort();
    const z64 = Number(zip.readBigUInt64LE(locator + 8));
    if (z64 + 56 > zip.length || zip.readUInt32LE(z64) !== 0x06064b50) throw tooShort();
    count = Number(zip.readBigUInt64LE(z64 + 32));
    dirOffset = Number(zip.readBigUInt64LE(z64 + 48));
  }
  if (count > 1000) throw badFile(file, `expected ${EXPECTED}. Received: a zip of ${count} entries.`);
  const entries: ZipEntry[] = [];
  let at = dirOffset;
  for (let n = 0; n < count; n++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50) throw tooShort();
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    if (at + 46 + nameLength + extraLength > zip.length) throw tooShort();
    const entry: ZipEntry = {
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
      method: zip.readUInt16LE(at + 10),
      crc: zip.readUInt32LE(at + 16),
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      localOffset: zip.readUInt32LE(at + 42),
    };
    // Zip64 extra field: the 64-bit values follow in order for each 32-bit field that is saturated.
    let e = at + 46 + nameLength;
    const extraEnd = e + extraLength;
    while (e + 4 <= extraEnd) {
      const id = zip.readUInt16LE(e);
      const length = zip.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let f = e + 4;
        const next = (): number => {
          if (f + 8 > e + 4 + length) throw tooShort();
          const v = Number(zip.readBigUInt64LE(f));
          f += 8;
          return v;
        };
        if (entry.size === 0xffffffff) entry.size = next();
        if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
        if (entry.localOffset === 0xffffffff) entry.localOffset = next();
      }
      e += 4 + length;
    }
    entries.push(entry);
    at = extraEnd + commentLength;
  }
  return entries;
}

/** Inflates one entry after checking its name, its local header and that its bytes overlap no other entry's. */
function extract(file: string, zip: Buffer, entry: ZipEntry, maxBytes: number): Buffer {
  const lh = entry.localOffset;
  if (lh + 30 > zip.length || zip.readUInt32LE(lh) !== 0x04034b50) {
    throw badFile(file, `expected ${EXPECTED}. Received: entry ${entry.name} points at no local header.`);
  }
  const dataStart = lh + 30 + zip.readUInt16LE(lh + 26) + zip.readUInt16LE(lh + 28);
  const localName = zip.toString('utf8', lh + 30, lh + 30 + zip.readUInt16LE(lh + 26));
  if (localName !== entry.name) throw badFile(file, `expected ${EXPECTED}. Received: entry ${entry.name} whose local header says ${JSON.stringify(localName)}.`);
  if (dataStart + entry.compressedSize > zip.length) throw badFile(file, `expected a complete zip. Received: entry ${entry.name} runs past the end of the file (truncated?).`);
  if (entry.size > maxBytes) throw badFile(file, `expected entries of at most ${maxBytes} bytes. Received: ${entry.name} declares ${entry.size} bytes.`);
  const raw = zip.subarray(dataStart, dataStart + entry.compressedSize);
  let data: Buffer;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw badFile(file, `expected ${entry.name}'s stored size to match. Received: ${entry.compressedSize} stored bytes for ${entry.size} declared.`);
    data = raw;
  } else if (entry.method === 8) {
    try {
      data = inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      if (e.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
        throw badFile(file, `expected ${entry.name} to inflate to its declared ${entry.size} bytes. Received: more (a lying size or a zip bomb).`);
      }
      throw badFile(file, `expected ${entry.name} to be valid deflate data. Received: ${e.message}.`);
    }
    if (data.length !== entry.size) throw badFile(file, `expected ${entry.name} to inflate to its declared ${entry.size} bytes. Received: ${data.length}.`);
  } else {
    throw badFile(file, `expected ${entry.name} stored or deflated. Received: zip compression method ${entry.method}.`);
  }
  if (crc32(data) >>> 0 !== entry.crc >>> 0) throw badFile(file, `expected ${entry.name} to match its CRC-32. Received: damaged data.`);
  return data;
}

interface Npy {
  descr: string;
  shape: number[];
  body: Buffer;
}

function parseNpy(file: string, name: string, data: Buffer): Npy {
  const bad = (what: string): Error => badFile(file, `expected ${name} to be a NumPy .npy array. Received: ${what}.`);
  if (data.length < 10 || data.toString('latin1', 0, 6) !== '\x93NUMPY') throw bad('no .npy magic');
  const major = data[6]!;
  if (major < 1 || major > 3 || data.length < 12) throw bad(`format version ${major}`);
  const headerLength = major === 1 ? data.readUInt16LE(8) : data.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  if (start + headerLength > data.length) throw bad('a truncated header');
  const header = data.toString('latin1', start, start + headerLength);
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw bad(`an unreadable header ${JSON.stringify(header.slice(0, 80))}`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw bad(`shape (${shapeText})`);
  return { descr, shape, body: data.subarray(start + headerLength) };
}

const LABEL_TYPES: Record<string, { bytes: number; read: (b: Buffer, i: number) => number }> = {
  '<i8': { bytes: 8, read: (b, i) => Number(b.readBigInt64LE(i * 8)) },
  '<u8': { bytes: 8, read: (b, i) => Number(b.readBigUInt64LE(i * 8)) },
  '<i4': { bytes: 4, read: (b, i) => b.readInt32LE(i * 4) },
  '<u4': { bytes: 4, read: (b, i) => b.readUInt32LE(i * 4) },
  '<i2': { bytes: 2, read: (b, i) => b.readInt16LE(i * 2) },
  '|i1': { bytes: 1, read: (b, i) => b.readInt8(i) },
  '|u1': { bytes: 1, read: (b, i) => b[i]! },
  '|b1': { bytes: 1, read: (b, i) => b[i]! },
};

function readLabels(file: string, name: string, npy: Npy): Uint8Array {
  const type = LABEL_TYPES[npy.descr];
  if (type === undefined || npy.shape.length !== 1) {
    throw badFile(file, `expected ${name} to be a 1-D integer array of 0/1 labels. Received: dtype ${npy.descr}, shape (${npy.shape.join(', ')}).`);
  }
  const n = npy.shape[0]!;
  if (npy.body.length !== n * type.bytes) throw badFile(file, `expected ${name} to hold ${n} labels. Received: ${npy.body.length} bytes of data.`);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = type.read(npy.body, i);
    if (v !== 0 && v !== 1) throw badFile(file, `expected ${name} to hold only 0 and 1. Received: ${v} at index ${i}.`);
    labels[i] = v;
  }
  return labels;
}

function readSequences(file: string, name: string, npy: Npy, maxElements: number): RaggedInt32 {
  if (npy.descr !== '|O') {
    throw badFile(file, `expected ${name} to be an object array of word-id lists (dtype |O). Received: dtype ${npy.descr}.`);
  }
  let lists: number[][];
  try {
    lists = readObjectArrayPickle(npy.body, { maxElements });
  } catch (error) {
    if (error instanceof PickleError) throw badFile(file, `${name}: refused pickle: ${error.message}`);
    throw error;
  }
  if (npy.shape.length !== 1 || npy.shape[0] !== lists.length) {
    throw badFile(file, `expected ${name}'s header shape to match its data. Received: shape (${npy.shape.join(', ')}) for ${lists.length} sequences.`);
  }
  const out = new RaggedInt32();
  for (const list of lists) {
    for (const id of list) out.push(id);
    out.endRow();
  }
  return out;
}

/** A word index is read whole: `imdb_word_index.json` is 1.6 MB; the bound is a million-word vocabulary's. */
export const WORD_INDEX_FILE = { what: 'a Keras word index (imdb_word_index.json)', maxBytes: MAX_FILE_BYTES.vocabulary };

/** The word index to use: the one chosen, else `imdb_word_index.json` beside the npz, else none. */
export async function resolveWordIndex(npzFile: string, chosen: string | undefined): Promise<string | null> {
  if (chosen !== undefined) return path.resolve(chosen);
  const beside = path.join(path.dirname(npzFile), 'imdb_word_index.json');
  try {
    await access(beside);
    return beside;
  } catch {
    return null;
  }
}

/** Reads `imdb_word_index.json` (`{"word": rank}`) into words by rank. */
async function readWordIndex(file: string): Promise<string[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readRegularText(file, WORD_INDEX_FILE));
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw badFile(file, `expected a JSON word index like {"the": 1, "and": 2}. Received: invalid JSON (${(error as Error).message}).`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw badFile(file, 'expected a JSON word index like {"the": 1, "and": 2}. Received: another JSON value.');
  }
  const words: string[] = [];
  for (const [word, rank] of Object.entries(parsed)) {
    if (typeof rank !== 'number' || !Number.isInteger(rank) || rank < 1 || rank > 10_000_000) {
      throw badFile(file, `expected each word's rank to be a positive integer. Received: ${JSON.stringify(word)}: ${JSON.stringify(rank)}.`);
    }
    words[rank - 1] = word;
  }
  for (let i = 0; i < words.length; i++) words[i] ??= '?';
  return words;
}

export async function readNpz(file: string, wordIndexFile: string | null, ctx: ReadContext): Promise<IdSource> {
  ctx.onProgress({ phase: 'reading', files: 0, bytes: 0 });
  const zip = await readRegularFile(file, { what: 'a Keras imdb.npz', maxBytes: ctx.limits.maxExpandedBytes });
  const size = zip.length;
  ctx.onProgress({ phase: 'reading', files: 0, bytes: size, totalBytes: size });
  const entries = readZipDirectory(file, zip);
  const byName = new Map<string, ZipEntry>();
  for (const entry of entries) {
    const unsafe = unsafeEntryPath(entry.name);
    if (unsafe !== null) throw badFile(file, `expected npz entries named like x_train.npy. Received: entry ${JSON.stringify(entry.name.slice(0, 200))} with ${unsafe}.`);
    if (byName.has(entry.name)) throw badFile(file, `expected each npz entry once. Received: ${entry.name} twice.`);
    byName.set(entry.name, entry);
  }
  const missing = KEYS.filter((k) => !byName.has(`${k}.npy`));
  if (missing.length > 0) {
    const found = [...byName.keys()].map((n) => n.replace(/\.npy$/, ''));
    throw badFile(file, `expected ${EXPECTED}. Received: keys ${found.length === 0 ? '(none)' : found.join(', ')}; missing ${missing.join(', ')}.`);
  }
  // Entries must not share bytes: overlapping entries are how a small zip claims gigabytes.
  const spans = KEYS.map((k) => byName.get(`${k}.npy`)!)
    .map((e) => ({ name: e.name, from: e.localOffset, to: e.localOffset + 30 + e.compressedSize }))
    .sort((a, b) => a.from - b.from);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i]!.from < spans[i - 1]!.to) throw badFile(file, `expected separate zip entries. Received: ${spans[i]!.name} overlaps ${spans[i - 1]!.name} (a zip bomb?).`);
  }
  let budget = ctx.limits.maxExpandedBytes;
  const npy = (key: (typeof KEYS)[number]): Npy => {
    const entry = byName.get(`${key}.npy`)!;
    const data = extract(file, zip, entry, budget);
    budget -= data.length;
    return parseNpy(file, `${key}.npy`, data);
  };
  // An IMDb split has about 6 million ids; 100 million is far beyond any real file.
  const maxElements = 100_000_000;
  const xTrain = readSequences(file, 'x_train', npy('x_train'), maxElements);
  const yTrain = readLabels(file, 'y_train', npy('y_train'));
  const xTest = readSequences(file, 'x_test', npy('x_test'), maxElements);
  const yTest = readLabels(file, 'y_test', npy('y_test'));
  if (xTrain.rows !== yTrain.length || xTest.rows !== yTest.length) {
    throw badFile(file, `expected as many labels as sequences. Received: x_train ${xTrain.rows} / y_train ${yTrain.length}, x_test ${xTest.rows} / y_test ${yTest.length}.`);
  }
  if (xTrain.rows === 0) throw badFile(file, `expected training sequences in x_train. Received: none.`);
  const wordsByRank = wordIndexFile === null ? null : await readWordIndex(wordIndexFile);
  return { kind: 'ids', format: 'keras-npz', train: { seqs: xTrain, labels: yTrain }, test: { seqs: xTest, labels: yTest }, wordsByRank };
}
