import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEMP_MARKER, removeStrayTemps, removeTaggedTemps, writeFileAtomic, writeFileDurable } from './atomic-file';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'atomic-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const DEAD_PID = 2 ** 22 + 12345;

describe('atomic files', () => {
  it('writes text, bytes and buffers back to back, replacing the old file and leaving no temp', async () => {
    const file = path.join(dir, 'a.bin');
    await writeFileAtomic(file, 'old');
    await writeFileAtomic(file, [new Uint8Array([1, 2]), new Uint8Array(0), new Uint8Array([3])]);
    expect([...(await readFile(file))]).toEqual([1, 2, 3]);
    await writeFileAtomic(file, new Uint8Array([4]), { tempTag: `${process.pid}-x` });
    expect([...(await readFile(file))]).toEqual([4]);
    expect(await readdir(dir)).toEqual(['a.bin']);
  });

  it('removes the temp file when the rename fails, and refuses to overwrite in durable mode', async () => {
    await mkdir(path.join(dir, 'folder'));
    await writeFile(path.join(dir, 'folder', 'inside'), 'x');
    await expect(writeFileAtomic(path.join(dir, 'folder'), 'data')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['folder']);
    await expect(writeFileDurable(path.join(dir, 'folder', 'inside'), 'y')).rejects.toThrow(/EEXIST/);
  });

  it('sweeps temps of dead writers in both name forms and keeps live, untagged and unrelated files', async () => {
    const names = {
      deadLeading: `${TEMP_MARKER}run.json-${DEAD_PID}-abcdef12`,
      liveLeading: `${TEMP_MARKER}run.json-${process.pid}-abcdef12`,
      unownedLeading: `${TEMP_MARKER}junk`,
      deadTagged: `entry.bin${TEMP_MARKER}${DEAD_PID}-dead`,
      liveTagged: `entry.bin${TEMP_MARKER}${process.pid}-alive`,
      untagged: `entry.bin${TEMP_MARKER}fuzz`,
      whole: 'entry.bin',
    };
    for (const name of Object.values(names)) await writeFile(path.join(dir, name), 'x');
    await removeStrayTemps(dir);
    expect((await readdir(dir)).sort()).toEqual([names.liveLeading, names.liveTagged, names.untagged, names.whole].sort());
    await removeTaggedTemps(dir, 'fuzz');
    expect(await readdir(dir)).not.toContain(names.untagged);
    await expect(removeStrayTemps(path.join(dir, 'missing'))).resolves.toBeUndefined();
  });
});
