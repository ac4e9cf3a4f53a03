import { spawn } from 'node:child_process';
import { watch } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCache, removeOrphanedTemps } from './cache';

const repoRoot = path.resolve(import.meta.dirname, '../..');
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rnnwb-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('dataset cache under SIGKILL', () => {
  it('a writer killed mid-write leaves the old entry whole, and its temp file is removed on the next open', async () => {
    const key = 'a'.repeat(64);
    // The child writes the same 24 MB entry over and over (temp, fsync, rename), so the kill lands mid-write.
    const script = path.join(dir, 'writer.mts');
    await writeFile(
      script,
      `import { writeCache } from ${JSON.stringify(pathToFileURL(path.join(repoRoot, 'src-main/data/cache.ts')).href)};
const count = 6000, maxlen = 1000;
const x = new Int32Array(count * maxlen).map((_, i) => i % 9973);
const split = { x, y: new Uint8Array(count).fill(1), rating: new Uint8Array(count).fill(9), count };
const empty = { x: new Int32Array(0), y: new Uint8Array(0), rating: new Uint8Array(0), count: 0 };
const dataset = { stats: { format: 'csv' }, tokenizer: { version: 1 }, maxlen, train: split, test: empty };
for (let i = 0; ; i++) {
  await writeCache(process.argv[2], ${JSON.stringify(key)}, dataset, process.pid + '-' + i);
  if (i === 0) process.stdout.write('ready\\n');
}
`,
    );
    const dataDir = path.join(dir, 'home');
    const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
    });
    // Kill the moment the next temp file appears: the writer is then between open and rename.
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const watcher = watch(path.join(dataDir, 'cache'), (_event, name) => {
      if (name?.includes('.tmp-')) child.kill('SIGKILL');
    });
    await exited;
    watcher.close();

    const left = await readdir(path.join(dataDir, 'cache'));
    expect(left.filter((n) => n.includes('.tmp-'))).toHaveLength(1);
    await removeOrphanedTemps(dataDir);
    expect(await readdir(path.join(dataDir, 'cache'))).toEqual([`dataset-${key.slice(0, 40)}.bin`]);
    const entry = await readCache(dataDir, key);
    expect(entry).not.toBeNull();
    expect(entry!.train.count).toBe(6000);
    expect(entry!.train.x[9973 + 5]).toBe(5);
    expect(entry!.train.rating[5999]).toBe(9);
  });
});
