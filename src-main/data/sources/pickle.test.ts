import { describe, expect, it, vi } from 'vitest';
import { PickleWriter, objectArrayPickle } from '../test-fixtures';
import { readObjectArrayPickle } from './pickle';

const limits = { maxElements: 1_000_000 };
const read = (bytes: Buffer) => readObjectArrayPickle(bytes, limits);

describe('readObjectArrayPickle', () => {
  it('reads what numpy writes for an object array of int lists, protocols 4 and 2', () => {
    const lists = [[1, 14, 22, 300], [1, 5, 70000], []];
    expect(read(objectArrayPickle(lists, 4))).toEqual(lists);
    expect(read(objectArrayPickle(lists, 2))).toEqual(lists);
  });

  it('refuses os.system reached through GLOBAL + REDUCE', () => {
    const evil = new PickleWriter().op(0x80, 2).global('os', 'system').unicode('touch /tmp/pwned').op(0x85, 0x52, 0x2e).build();
    expect(() => read(evil)).toThrow(/expected only the numpy array globals .*Received: global os\.system/);
  });

  it('refuses builtins.eval reached through STACK_GLOBAL + REDUCE', () => {
    const evil = new PickleWriter().op(0x80, 4).stackGlobal('builtins', 'eval').memoize().unicode('1+1').op(0x85, 0x52, 0x2e).build();
    const evalSpy = vi.spyOn(globalThis, 'eval');
    try {
      expect(() => read(evil)).toThrow(/Received: global builtins\.eval/);
      expect(evalSpy).not.toHaveBeenCalled();
    } finally {
      evalSpy.mockRestore();
    }
  });

  it('refuses an allowed global called with a smuggled class (memo trick)', () => {
    // _reconstruct is allowed, but only as _reconstruct(numpy.ndarray, …); here its class argument is
    // another memoized _reconstruct.
    const evil = new PickleWriter()
      .op(0x80, 4)
      .stackGlobal('numpy._core.multiarray', '_reconstruct')
      .memoize()
      .op(0x68, 0) // BINGET 0: the same global again, as the "class"
      .int(0)
      .op(0x85, 0x43, 1, 0x62, 0x87, 0x52, 0x2e)
      .build();
    expect(() => read(evil)).toThrow(/expected _reconstruct\(numpy\.ndarray/);
  });

  it('refuses a reference to a memo entry that was never stored', () => {
    expect(() => read(new PickleWriter().op(0x80, 4, 0x68, 7, 0x2e).build())).toThrow('expected memo entry 7 to exist');
  });

  it('refuses SETITEM, even on a list', () => {
    const evil = new PickleWriter().op(0x80, 4, 0x5d).int(0).int(1).op(0x73, 0x2e).build();
    expect(() => read(evil)).toThrow(/Received: SETITEM 0x73/);
  });

  it('refuses a shape of a billion elements without allocating it', () => {
    expect(() => read(objectArrayPickle([[1, 2]], 4, 1_000_000_000))).toThrow("expected the array's shape to match its data. Received: shape (1000000000,) with 1 items.");
  });

  it('refuses an unknown opcode and a truncated stream', () => {
    expect(() => read(new PickleWriter().op(0x80, 4, 0xff).build())).toThrow(/Received: opcode 0xff at byte 2/);
    const whole = objectArrayPickle([[1, 2, 3]]);
    expect(() => read(whole.subarray(0, whole.length - 5))).toThrow(/ends early/);
  });

  it('refuses a list that contains itself instead of ids', () => {
    // [] memoized, then APPEND of the same list into itself, wrapped as the array data.
    const good = objectArrayPickle([[1]]);
    // Splice: replace the data list's single inner list with a self-reference.
    const inner = Buffer.from([0x5d, 0x28, 0x4b, 1, 0x65]);
    const at = good.indexOf(inner);
    const evil = Buffer.concat([good.subarray(0, at), Buffer.from([0x5d, 0x94, 0x68, 0, 0x61]), good.subarray(at + inner.length)]);
    expect(() => read(evil)).toThrow(/expected (word ids|each item)/);
  });

  it('bounds the number of elements', () => {
    expect(() => readObjectArrayPickle(objectArrayPickle([[1, 2, 3], [4, 5, 6]]), { maxElements: 4 })).toThrow('expected at most 4 elements');
  });
});
