import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegularStream, readRegularFile, readRegularFileSync, readRegularText } from './bounded-file';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rnn-bounded-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const what = 'a tokenizer.json';

describe('reading a regular file of bounded size', () => {
  it('reads a regular file, also through a symlink', async () => {
    const file = path.join(dir, 'ok.json');
    await writeFile(file, '{"a":1}');
    await symlink(file, path.join(dir, 'link.json'));
    expect(await readRegularText(file, { what, maxBytes: 100 })).toBe('{"a":1}');
    expect(await readRegularText(path.join(dir, 'link.json'), { what, maxBytes: 100 })).toBe('{"a":1}');
    expect(readRegularFileSync(file, { what, maxBytes: 100 }).toString()).toBe('{"a":1}');
  });

  it('refuses a FIFO at once instead of waiting for a writer', async () => {
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(readRegularFile(fifo, { what, maxBytes: 100 })).rejects.toThrow(`${fifo}: expected ${what}, a regular file. Received: a named pipe (FIFO)`);
    expect(() => readRegularFileSync(fifo, { what, maxBytes: 100 })).toThrow('Received: a named pipe (FIFO)');
    await expect(openRegularStream(fifo, { what, maxBytes: 100 })).rejects.toThrow('Received: a named pipe (FIFO)');
  });

  it('refuses /dev/zero through a symlink, a folder and a socket, naming what they are', async () => {
    const zero = path.join(dir, 'weights.bin');
    await symlink('/dev/zero', zero);
    await expect(readRegularFile(zero, { what, maxBytes: 100 })).rejects.toThrow('Received: a character device');
    await expect(readRegularFile(dir, { what, maxBytes: 100 })).rejects.toThrow('Received: a folder');
    const socketPath = path.join(dir, 'sock');
    const server = createServer().listen(socketPath);
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      await expect(readRegularFile(socketPath, { what, maxBytes: 100 })).rejects.toThrow('Received: a socket');
    } finally {
      server.close();
    }
  });

  it('refuses a 2.1 GB sparse file from its size, before reading', async () => {
    const sparse = path.join(dir, 'sparse.txt');
    await writeFile(sparse, '');
    await truncate(sparse, 2.1e9);
    const before = process.memoryUsage().rss;
    await expect(readRegularFile(sparse, { what: 'a review file', maxBytes: 4 * 1024 ** 2 })).rejects.toThrow(
      `${sparse}: expected a review file of at most 4.0 MB. Received: 2.0 GB`,
    );
    expect(() => readRegularFileSync(sparse, { what: 'a review file', maxBytes: 4 * 1024 ** 2 })).toThrow('Received: 2.0 GB');
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 ** 2);
  });

  it('stops reading at the bound when a file reports no size (/proc)', async () => {
    // /proc/self/maps reports size 0 but has content: the read cap, not the stat, stops it.
    await expect(readRegularFile('/proc/self/maps', { what, maxBytes: 10 })).rejects.toThrow('Received: more (it grew while being read)');
  });

  it('says when the file is missing', async () => {
    await expect(readRegularFile(path.join(dir, 'none'), { what, maxBytes: 10 })).rejects.toMatchObject({ code: 'not_found', message: `${path.join(dir, 'none')}: expected ${what}. Received: no such file` });
  });
});
