/**
 * A pickle reader that executes nothing. It understands exactly what numpy writes for an object array of
 * int lists (what Keras' `imdb.npz` holds): `_reconstruct(ndarray, (0,), b'b')`, `dtype('O8')`, their
 * BUILD states, lists of ints, and `_codecs.encode` for protocol-2 bytes. Every other global, opcode or
 * shape is refused with an error; no callable is ever looked up, let alone called.
 *
 * There is no maintained JavaScript pickle reader with an allow-list, hence this one.
 */

/** Why a pickle was refused. The caller adds the file name. */
export class PickleError extends Error {
  override readonly name = 'PickleError';
}

class Tuple {
  constructor(readonly items: unknown[]) {}
}

class Global {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
}

class Dtype {
  constructor(readonly descr: string) {}
}

/** The numpy array a pickle describes; `data` is the object list for dtype `O`. */
class NdArray {
  shape: number[] | null = null;
  dtype: Dtype | null = null;
  data: unknown[] | null = null;
}

const RECONSTRUCT = new Set(['numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct']);
const ALLOWED_GLOBALS = new Set([...RECONSTRUCT, 'numpy.ndarray', 'numpy.dtype', '_codecs.encode']);

export interface PickleLimits {
  /** Elements (list items of every list together) the pickle may hold. */
  maxElements: number;
}

/** Reads a pickled numpy object array of int lists and returns the lists. */
export function readObjectArrayPickle(bytes: Uint8Array, limits: PickleLimits): number[][] {
  const value = unpickle(bytes, limits);
  if (!(value instanceof NdArray) || value.shape === null || value.data === null) {
    throw new PickleError('expected a pickled numpy array. Received: another object.');
  }
  if (value.dtype?.descr !== 'O8') throw new PickleError(`expected an object array (dtype O). Received: dtype ${value.dtype?.descr ?? 'none'}.`);
  if (value.shape.length !== 1) throw new PickleError(`expected a 1-D array of sequences. Received: shape (${value.shape.join(', ')}).`);
  if (value.shape[0] !== value.data.length) {
    throw new PickleError(`expected the array's shape to match its data. Received: shape (${value.shape[0]},) with ${value.data.length} items.`);
  }
  return value.data.map((item, i) => {
    if (!Array.isArray(item)) throw new PickleError(`expected each item to be a list of word ids. Received: item ${i} is ${describe(item)}.`);
    for (const id of item) {
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0x7fffffff) {
        throw new PickleError(`expected word ids to be non-negative 32-bit integers. Received: ${describe(id)} in item ${i}.`);
      }
    }
    return item as number[];
  });
}

function describe(value: unknown): string {
  if (value instanceof Tuple) return 'a tuple';
  if (value instanceof NdArray) return 'an array';
  if (value instanceof Global) return `global ${value.module}.${value.name}`;
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : String(value);
}

const OPCODE_NAMES: Record<number, string> = {
  0x63: 'GLOBAL',
  0x93: 'STACK_GLOBAL',
  0x52: 'REDUCE',
  0x62: 'BUILD',
  0x73: 'SETITEM',
  0x75: 'SETITEMS',
  0x69: 'INST',
  0x6f: 'OBJ',
  0x81: 'NEWOBJ',
  0x92: 'NEWOBJ_EX',
  0x7d: 'EMPTY_DICT',
  0x64: 'DICT',
  0x8f: 'EMPTY_SET',
  0x90: 'ADDITEMS',
  0x50: 'PERSID',
  0x51: 'BINPERSID',
  0x82: 'EXT1',
  0x83: 'EXT2',
  0x84: 'EXT4',
  0x97: 'NEXT_BUFFER',
  0x98: 'READONLY_BUFFER',
};

function unpickle(bytes: Uint8Array, limits: PickleLimits): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const latin1 = new TextDecoder('latin1');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let pos = 0;
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  const memo = new Map<number, unknown>();
  let elements = 0;

  const need = (n: number): void => {
    if (pos + n > bytes.length) throw new PickleError(`expected a complete pickle. Received: data that ends early at byte ${bytes.length}.`);
  };
  const u8 = (): number => {
    need(1);
    return bytes[pos++]!;
  };
  const u16 = (): number => {
    need(2);
    const v = view.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = (): number => {
    need(4);
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const i32 = (): number => {
    need(4);
    const v = view.getInt32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = (): number => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(bytes.length)) throw new PickleError(`expected a length within the data. Received: ${v}.`);
    return Number(v);
  };
  const take = (n: number): Uint8Array => {
    need(n);
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0 || end - pos > 256) throw new PickleError('expected a GLOBAL name line. Received: none.');
    const text = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return text;
  };
  const pop = (): unknown => {
    if (stack.length === 0) throw new PickleError('expected a value on the pickle stack. Received: an empty stack.');
    return stack.pop();
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const previous = marks.pop();
    if (previous === undefined) throw new PickleError('expected a MARK before this opcode. Received: none.');
    stack = previous;
    return items;
  };
  const count = (n: number): void => {
    elements += n;
    if (elements > limits.maxElements) throw new PickleError(`expected at most ${limits.maxElements} elements. Received: more.`);
  };
  const global = (module: string, name: string): Global => {
    const full = `${module}.${name}`;
    if (!ALLOWED_GLOBALS.has(full)) {
      throw new PickleError(`expected only the numpy array globals (${[...ALLOWED_GLOBALS].join(', ')}). Received: global ${full.slice(0, 120)}.`);
    }
    return new Global(module, name);
  };
  const str = (b: Uint8Array): string => {
    try {
      return utf8.decode(b);
    } catch {
      throw new PickleError('expected UTF-8 text in a pickle string. Received: invalid bytes.');
    }
  };

  for (;;) {
    const at = pos;
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) throw new PickleError('expected pickle protocol 5 or lower. Received: a newer one.');
        break;
      case 0x95: // FRAME: a length hint only
        u64();
        break;
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length !== 0) throw new PickleError('expected one value at STOP. Received: a malformed stack.');
        return stack[0];
      case 0x28: // MARK
        marks.push(stack);
        stack = [];
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x8a: {
        // LONG1: little-endian two's complement, small enough here to be a safe integer
        const n = u8();
        if (n > 6) throw new PickleError(`expected integers of at most 48 bits. Received: a ${n}-byte integer.`);
        const b = take(n);
        let v = 0;
        for (let i = n - 1; i >= 0; i--) v = v * 256 + b[i]!;
        if (n > 0 && b[n - 1]! >= 0x80) v -= 2 ** (8 * n);
        stack.push(v);
        break;
      }
      case 0x8c: // SHORT_BINUNICODE
        stack.push(str(take(u8())));
        break;
      case 0x58: // BINUNICODE
        stack.push(str(take(u32())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(str(take(u64())));
        break;
      case 0x55: // SHORT_BINSTRING (Python 2 str)
        stack.push(latin1.decode(take(u8())));
        break;
      case 0x54: // BINSTRING
        stack.push(latin1.decode(take(u32())));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new Tuple([]));
        break;
      case 0x85: // TUPLE1
        stack.push(new Tuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push(new Tuple([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(new Tuple([pop(), b, c]));
        break;
      }
      case 0x74: {
        // TUPLE (popMark swaps the stack, so it must run before `stack` is read for the push)
        const items = popMark();
        stack.push(new Tuple(items));
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: {
        // LIST
        const items = popMark();
        count(items.length);
        stack.push(items);
        break;
      }
      case 0x61: {
        // APPEND
        const item = pop();
        const list = stack[stack.length - 1];
        if (!Array.isArray(list)) throw new PickleError(`expected APPEND on a list. Received: APPEND on ${describe(list)} at byte ${at}.`);
        count(1);
        list.push(item);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = stack[stack.length - 1];
        if (!Array.isArray(list)) throw new PickleError(`expected APPENDS on a list. Received: APPENDS on ${describe(list)} at byte ${at}.`);
        count(items.length);
        for (const item of items) list.push(item);
        break;
      }
      case 0x94: // MEMOIZE
        if (stack.length === 0) throw new PickleError('expected a value to memoize. Received: an empty stack.');
        memo.set(memo.size, stack[stack.length - 1]);
        break;
      case 0x71: // BINPUT
      case 0x72: {
        // LONG_BINPUT
        const index = op === 0x71 ? u8() : u32();
        if (stack.length === 0) throw new PickleError('expected a value to memoize. Received: an empty stack.');
        memo.set(index, stack[stack.length - 1]);
        break;
      }
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const index = op === 0x68 ? u8() : u32();
        if (!memo.has(index)) throw new PickleError(`expected memo entry ${index} to exist. Received: a reference to nothing.`);
        stack.push(memo.get(index));
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = line();
        stack.push(global(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw new PickleError('expected STACK_GLOBAL on two strings. Received: other values.');
        stack.push(global(module, name));
        break;
      }
      case 0x52: {
        // REDUCE: only the three allowed constructors, each checked and modelled, never called
        const args = pop();
        const callable = pop();
        stack.push(reduce(callable, args));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const target = stack[stack.length - 1];
        build(target, state);
        break;
      }
      default:
        throw new PickleError(
          `expected only the pickle opcodes numpy uses for object arrays. Received: ${OPCODE_NAMES[op] ?? 'opcode'} 0x${op.toString(16).padStart(2, '0')} at byte ${at}.`,
        );
    }
  }
}

function reduce(callable: unknown, args: unknown): unknown {
  if (!(callable instanceof Global)) throw new PickleError(`expected REDUCE on an allowed global. Received: ${describe(callable)}.`);
  if (!(args instanceof Tuple)) throw new PickleError('expected REDUCE arguments in a tuple. Received: another value.');
  const full = `${callable.module}.${callable.name}`;
  const a = args.items;
  if (RECONSTRUCT.has(full)) {
    const [cls, shape, tag] = a;
    const isTag = (tag instanceof Uint8Array && tag.length === 1 && tag[0] === 0x62) || tag === 'b';
    if (!(cls instanceof Global) || `${cls.module}.${cls.name}` !== 'numpy.ndarray' || !(shape instanceof Tuple) || !isTag || a.length !== 3) {
      throw new PickleError('expected _reconstruct(numpy.ndarray, (0,), b"b"). Received: other arguments.');
    }
    return new NdArray();
  }
  if (full === 'numpy.dtype') {
    if (typeof a[0] !== 'string' || a.length !== 3) throw new PickleError('expected dtype(descr, align, copy). Received: other arguments.');
    return new Dtype(a[0]);
  }
  if (full === '_codecs.encode') {
    // Protocol 2 writes bytes as _codecs.encode(text, 'latin1'); modelled without calling anything.
    if (typeof a[0] !== 'string' || (a[1] !== 'latin1' && a[1] !== 'latin-1') || a.length !== 2) {
      throw new PickleError("expected _codecs.encode(text, 'latin1'). Received: other arguments.");
    }
    return Uint8Array.from(a[0], (c) => c.charCodeAt(0) & 0xff);
  }
  throw new PickleError(`expected REDUCE on a constructor. Received: ${full}.`);
}

function build(target: unknown, state: unknown): void {
  if (!(state instanceof Tuple)) throw new PickleError('expected a tuple BUILD state. Received: another value.');
  const s = state.items;
  if (target instanceof Dtype) {
    // (3, '|', None, None, None, -1, -1, 63): version, byte order, no subarray or fields; nothing to keep.
    if (typeof s[0] !== 'number' || typeof s[1] !== 'string') throw new PickleError('expected a dtype state. Received: another tuple.');
    return;
  }
  if (target instanceof NdArray) {
    const [version, shape, dtype, fortran, data] = s;
    if (version !== 1 || !(shape instanceof Tuple) || !(dtype instanceof Dtype) || typeof fortran !== 'boolean' || s.length !== 5) {
      throw new PickleError('expected an ndarray state (1, shape, dtype, fortran, data). Received: another tuple.');
    }
    if (!shape.items.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
      throw new PickleError('expected the array shape to be non-negative integers. Received: other values.');
    }
    if (!Array.isArray(data)) throw new PickleError(`expected an object array's items in a list. Received: ${data instanceof Uint8Array ? 'raw bytes' : describe(data)}.`);
    target.shape = shape.items as number[];
    target.dtype = dtype;
    target.data = data;
    return;
  }
  throw new PickleError(`expected BUILD on an array or dtype. Received: BUILD on ${describe(target)}.`);
}
