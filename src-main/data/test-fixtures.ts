/**
 * Builders for the data tests' fixtures, written in TypeScript so the suite needs no Python: aclImdb
 * archives and folders, numpy-style pickles, .npy arrays and npz zips, and their hostile variants.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipSync, type ZipOptions } from 'fflate';
import tarStream from 'tar-stream';

export interface TarEntry {
  name: string;
  body?: string | Buffer;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  linkname?: string;
}

/** A tar (optionally gzipped) of `entries`, in memory. */
export async function makeTar(entries: TarEntry[], gzip = true): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk) => {
    chunks.push(chunk as Buffer);
  });
  const ended = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const entry of entries) {
    const body = Buffer.from(entry.body ?? '');
    const header = { name: entry.name, type: entry.type ?? 'file', linkname: entry.linkname, size: entry.type === undefined || entry.type === 'file' ? body.length : 0 };
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null): void => (error ? reject(error) : resolve());
      pack.entry(header, header.size > 0 ? body : Buffer.alloc(0), done);
    });
  }
  pack.finalize();
  await ended;
  const tar = Buffer.concat(chunks);
  return gzip ? gzipSync(tar) : tar;
}

/** Reviews keyed by aclImdb relative path, e.g. `train/pos/0_9.txt`. */
export type Reviews = Record<string, string>;

export function aclImdbEntries(reviews: Reviews, prefix = 'aclImdb/'): TarEntry[] {
  return Object.entries(reviews).map(([rel, body]) => ({ name: prefix + rel, body }));
}

export async function writeAclImdbFolder(root: string, reviews: Reviews): Promise<void> {
  for (const [rel, body] of Object.entries(reviews)) {
    const file = path.join(root, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, body);
  }
}

/** A small pickle writer: just the opcodes numpy emits, plus whatever a hostile test splices in. */
export class PickleWriter {
  private readonly bytes: number[] = [];
  op(...codes: number[]): this {
    this.bytes.push(...codes);
    return this;
  }
  int(n: number): this {
    if (n >= 0 && n < 256) return this.op(0x4b, n);
    if (n >= 0 && n < 65536) return this.op(0x4d, n & 0xff, n >> 8);
    const b = Buffer.alloc(4);
    b.writeInt32LE(n);
    return this.op(0x4a, ...b);
  }
  unicode(s: string): this {
    const b = Buffer.from(s, 'utf8');
    return b.length < 256 ? this.op(0x8c, b.length, ...b) : this.op(0x58, ...u32(b.length), ...b);
  }
  global(module: string, name: string): this {
    return this.op(0x63, ...Buffer.from(`${module}\n${name}\n`, 'latin1'));
  }
  stackGlobal(module: string, name: string): this {
    return this.unicode(module).unicode(name).op(0x93);
  }
  memoize(): this {
    return this.op(0x94);
  }
  build(): Buffer {
    return Buffer.from(this.bytes);
  }
}

function u32(n: number): number[] {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return [...b];
}

/**
 * The pickle numpy writes for an object array of int lists: protocol 4 with STACK_GLOBAL (numpy 2), or
 * protocol 2 with GLOBAL and `_codecs.encode` for bytes (older numpy, Keras' own imdb.npz).
 */
export function objectArrayPickle(lists: number[][], protocol: 2 | 4 = 4, shape = lists.length): Buffer {
  const w = new PickleWriter().op(0x80, protocol);
  const g = (m: string, n: string): PickleWriter => (protocol === 4 ? w.stackGlobal(m, n) : w.global(m, n));
  g(protocol === 4 ? 'numpy._core.multiarray' : 'numpy.core.multiarray', '_reconstruct');
  g('numpy', 'ndarray');
  w.int(0).op(0x85);
  if (protocol === 4) w.op(0x43, 1, 0x62);
  else w.global('_codecs', 'encode').unicode('b').unicode('latin1').op(0x86, 0x52);
  w.op(0x87, 0x52); // TUPLE3 REDUCE
  w.op(0x28).int(1).int(shape).op(0x85); // MARK 1 (shape,)
  g('numpy', 'dtype');
  w.unicode('O8').op(0x89, 0x88, 0x87, 0x52); // ('O8', False, True) REDUCE
  w.op(0x28).int(3).unicode('|').op(0x4e, 0x4e, 0x4e).int(-1).int(-1).int(63).op(0x74, 0x62); // dtype state, BUILD
  w.op(0x89, 0x5d, 0x28); // False, [, MARK
  for (const list of lists) {
    w.op(0x5d, 0x28);
    for (const id of list) w.int(id);
    w.op(0x65); // APPENDS
  }
  w.op(0x65, 0x74, 0x62, 0x2e); // APPENDS, TUPLE, BUILD, STOP
  return w.build();
}

/** A .npy file: magic, version 1.0 header, body. */
export function npy(descr: string, shape: number[], body: Buffer): Buffer {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const header = dict.padEnd(total - 10 - 1, ' ') + '\n';
  const h = Buffer.alloc(10);
  h.write('\x93NUMPY', 0, 'latin1');
  h[6] = 1;
  h[7] = 0;
  h.writeUInt16LE(header.length, 8);
  return Buffer.concat([h, Buffer.from(header, 'latin1'), body]);
}

export function int64Labels(labels: number[]): Buffer {
  const b = Buffer.alloc(labels.length * 8);
  labels.forEach((v, i) => b.writeBigInt64LE(BigInt(v), i * 8));
  return npy('<i8', [labels.length], b);
}

export interface NpzParts {
  x_train?: Buffer;
  y_train?: Buffer;
  x_test?: Buffer;
  y_test?: Buffer;
  [name: string]: Buffer | undefined;
}

/** An npz of ready-made .npy buffers (keys without `.npy`), stored or deflated. */
export function makeNpz(parts: NpzParts, options: ZipOptions = { level: 6 }): Buffer {
  const files: Record<string, Uint8Array> = {};
  for (const [key, value] of Object.entries(parts)) if (value !== undefined) files[key.endsWith('.npy') ? key : `${key}.npy`] = value;
  return Buffer.from(zipSync(files, options));
}

/** A Keras-style npz with the given rank sequences and labels. */
export function kerasNpz(train: { x: number[][]; y: number[] }, test: { x: number[][]; y: number[] }, protocol: 2 | 4 = 4, options?: ZipOptions): Buffer {
  return makeNpz(
    {
      x_train: npy('|O', [train.x.length], objectArrayPickle(train.x, protocol)),
      y_train: int64Labels(train.y),
      x_test: npy('|O', [test.x.length], objectArrayPickle(test.x, protocol)),
      y_test: int64Labels(test.y),
    },
    options,
  );
}
