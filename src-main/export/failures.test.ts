import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportRun, importModel, loadExport, recoverExports, type WriteFileFn } from '.';
import { writeFileDurable } from '../platform/atomic-file';
import { publishStaged, stageFolder } from './atomic-output';
import { loadModelFromArtifacts, readModelArtifacts } from './tfjs-files';
import { lstmStack, makeRunFolder, sampleTokenizer } from './test-fixtures';

let root: string;
let run: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'rnn-export-fail-'));
  run = path.join(root, 'run');
  await makeRunFolder(run, lstmStack(40), sampleTokenizer(40, 24), 3);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A disk that fills up: writes go through until `capacity` bytes, then the file is cut and ENOSPC raised. */
function fillingDisk(capacity: number): WriteFileFn {
  let used = 0;
  return async (file, data) => {
    if (used + data.byteLength <= capacity) {
      used += data.byteLength;
      return writeFileDurable(file, data);
    }
    await writeFileDurable(file, data.subarray(0, capacity - used));
    used = capacity;
    throw Object.assign(new Error(`ENOSPC: no space left on device, write '${file}'`), { code: 'ENOSPC' });
  };
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** Names in `dir` other than the ones a test made on purpose. */
async function leftovers(dir: string, expected: string[]): Promise<string[]> {
  return (await readdir(dir)).filter((name) => !expected.includes(name));
}

describe('export failures leave nothing half-written', () => {
  it('refuses a target whose folder is missing, is a file, or is not writable, naming it', async () => {
    await expect(exportRun({ runDir: run, out: path.join(root, 'nope', 'model') })).rejects.toThrow(
      `Cannot export to ${path.join(root, 'nope', 'model')}: expected a writable folder to put it in. Received: ${path.join(root, 'nope')}, which does not exist`,
    );
    await writeFile(path.join(root, 'a-file'), 'x');
    await expect(exportRun({ runDir: run, out: path.join(root, 'a-file', 'model') })).rejects.toThrow('which is not a folder');
    // Root ignores permission bits, so the refusal is simulated at the write where it would happen.
    const refused: WriteFileFn = async (file) => {
      throw Object.assign(new Error(`EACCES: permission denied, open '${file}'`), { code: 'EACCES' });
    };
    const out = path.join(root, 'refused');
    await expect(exportRun({ runDir: run, out, writeFile: refused })).rejects.toThrow(/writing .* failed because the folder is not writable \(EACCES\)\. Nothing was changed at/);
    expect(await exists(out)).toBe(false);
    if (process.getuid?.() !== 0) {
      const locked = path.join(root, 'locked');
      await mkdir(locked);
      await chmod(locked, 0o555);
      await expect(exportRun({ runDir: run, out: path.join(locked, 'model') })).rejects.toThrow('is not writable (EACCES)');
      await chmod(locked, 0o755);
    }
    expect(await leftovers(root, ['run', 'a-file', 'locked'])).toEqual([]);
  });

  it('refuses an existing target unless forced, and replaces it whole when forced', async () => {
    const out = path.join(root, 'existing');
    await mkdir(out);
    await writeFile(path.join(out, 'keep.txt'), 'mine');
    await expect(exportRun({ runDir: run, out })).rejects.toThrow(`${out} already exists. Expected a new path, or confirm replacing it (CLI: --force).`);
    expect(await readFile(path.join(out, 'keep.txt'), 'utf8')).toBe('mine');
    await exportRun({ runDir: run, out, force: true });
    expect(await exists(path.join(out, 'keep.txt'))).toBe(false);
    expect(await exists(path.join(out, 'model.json'))).toBe(true);
    expect(await leftovers(root, ['run', 'a-file', 'locked', 'existing'])).toEqual([]);
    await rm(out, { recursive: true });
    await expect(exportRun({ runDir: run, out: run, force: true })).rejects.toThrow(
      `out must be a path outside the run it exports, not the run, a folder in it or a folder holding it: writing there would replace the run's files. Received: ${run}`,
    );
    await expect(exportRun({ runDir: run, out: root, force: true })).rejects.toThrow('out must be a path outside the run it exports');
    expect(await exists(path.join(run, 'run.json'))).toBe(true);
  });

  it('refuses a target inside the run (its checkpoint), through a symlink, or inside the runs store', async () => {
    const checkpoint = path.join(run, 'checkpoint');
    await mkdir(checkpoint, { recursive: true });
    await writeFile(path.join(checkpoint, 'optimizer.bin'), 'state');
    await expect(exportRun({ runDir: run, out: checkpoint, force: true })).rejects.toThrow(`out must be a path outside the run it exports`);
    await expect(exportRun({ runDir: run, out: path.join(run, 'model.zip'), force: true })).rejects.toThrow(`out must be a path outside the run it exports`);
    const link = path.join(root, 'link-to-run');
    await symlink(run, link);
    await expect(exportRun({ runDir: run, out: path.join(link, 'checkpoint'), force: true })).rejects.toThrow(`out must be a path outside the run it exports`);
    expect(await readFile(path.join(checkpoint, 'optimizer.bin'), 'utf8')).toBe('state');
    // `run` is not in this store, but an export may not land among its runs either.
    const home = path.join(root, 'home');
    await expect(exportRun({ runDir: run, dataDir: home, out: path.join(home, 'runs', 'x'), force: true })).rejects.toThrow(
      `out must be a path outside the runs store ${path.join(home, 'runs')}: writing there could replace runs. Received: ${path.join(home, 'runs', 'x')}`,
    );
    await expect(importModel(path.join(home, 'runs', 'x'), home)).rejects.toThrow(`path must be an export outside the runs store ${path.join(home, 'runs')}`);
    await rm(link);
    await rm(checkpoint, { recursive: true });
  });

  it('reports a disk that fills mid-write and keeps the previous export intact', async () => {
    const out = path.join(root, 'full');
    await expect(exportRun({ runDir: run, out, writeFile: fillingDisk(3000) })).rejects.toThrow(
      /^Could not export to .*full: writing .* failed because the disk is full\. Nothing was changed at .*full\.$/,
    );
    expect(await exists(out)).toBe(false);

    await exportRun({ runDir: run, out });
    const before = await readFile(path.join(out, 'metadata.json'), 'utf8');
    await expect(exportRun({ runDir: run, out, force: true, writeFile: fillingDisk(3000) })).rejects.toThrow('the disk is full');
    expect(await readFile(path.join(out, 'metadata.json'), 'utf8')).toBe(before);
    await loadExport(out);

    const zip = path.join(root, 'full.zip');
    await exportRun({ runDir: run, out: zip });
    const zipBefore = await readFile(zip);
    await expect(exportRun({ runDir: run, out: zip, force: true, writeFile: fillingDisk(100) })).rejects.toThrow('the disk is full');
    expect(Buffer.compare(await readFile(zip), zipBefore)).toBe(0);
    await expect(exportRun({ runDir: run, out: path.join(root, 'full.h5'), writeFile: fillingDisk(100) })).rejects.toThrow('the disk is full');
    expect(await leftovers(root, ['run', 'a-file', 'locked', 'full', 'full.zip'])).toEqual([]);
    await rm(out, { recursive: true });
    await rm(zip);
  });

  it('after a SIGKILL mid-export keeps the old export whole and sweeps the temp folder on the next export', async () => {
    const dir = path.join(root, 'killed');
    await mkdir(dir);
    const out = path.join(dir, 'model');
    await exportRun({ runDir: run, out });
    const before = await readFile(path.join(out, 'model.json'));
    const child = path.join(root, 'kill-child.mts');
    // The child writes its first file, says so, and then never finishes: it dies mid-export.
    await writeFile(
      child,
      `import { exportRun } from ${JSON.stringify(path.resolve('src-main/export/index.ts'))};
import { writeFileDurable } from ${JSON.stringify(path.resolve('src-main/platform/atomic-file.ts'))};
let first = true;
await exportRun({ runDir: ${JSON.stringify(run)}, out: ${JSON.stringify(out)}, force: true, writeFile: async (file, data) => {
  await writeFileDurable(file, data);
  if (first) { first = false; process.stdout.write('WROTE\\n'); await new Promise(() => {}); }
} });`,
    );
    const proc = spawn(process.execPath, ['--import', 'tsx', child], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      proc.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('WROTE')) resolve();
      });
      proc.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    proc.kill('SIGKILL');
    await new Promise((resolve) => proc.once('exit', resolve));
    const names = await readdir(dir);
    expect(names).toContain('model');
    expect(names.some((name) => name.startsWith('.tmp-export-'))).toBe(true);
    expect(Buffer.compare(await readFile(path.join(out, 'model.json')), before)).toBe(0);
    await loadExport(out);
    await exportRun({ runDir: run, out: path.join(dir, 'other') });
    expect((await readdir(dir)).sort()).toEqual(['model', 'other']);
  });

  it('refuses to publish over a target that appeared while the export was written, and removes the temp', async () => {
    const dir = path.join(root, 'appeared');
    await mkdir(dir);
    const out = path.join(dir, 'model');
    const staged = await stageFolder(out, new Map([['a.txt', new TextEncoder().encode('new')]]));
    await mkdir(out);
    await writeFile(path.join(out, 'keep.txt'), 'mine');
    await expect(publishStaged(staged)).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining(`${out} already exists.`) });
    expect(await readdir(dir)).toEqual(['model']);
    expect(await readdir(out)).toEqual(['keep.txt']);
  });

  it('puts back an export set aside by a process killed between its two renames', async () => {
    const dir = path.join(root, 'between');
    await mkdir(dir);
    await exportRun({ runDir: run, out: path.join(dir, 'model') });
    // A pid that has certainly exited: a child that has finished.
    const dead = await new Promise<number>((resolve) => {
      const proc = spawn(process.execPath, ['-e', '0']);
      proc.on('exit', () => resolve(proc.pid!));
    });
    const { rename } = await import('node:fs/promises');
    await rename(path.join(dir, 'model'), path.join(dir, `.old-export-${dead}-0123abcd-model`));
    await mkdir(path.join(dir, `.tmp-export-${dead}-4567cdef-model`));
    await recoverExports(dir);
    expect(await readdir(dir)).toEqual(['model']);
    await loadExport(path.join(dir, 'model'));
  });
});

describe('opening a broken or foreign export', () => {
  let good: string;

  beforeAll(async () => {
    good = path.join(root, 'good');
    await exportRun({ runDir: run, out: good });
  });

  async function copyOfGood(name: string): Promise<string> {
    const { cp } = await import('node:fs/promises');
    const dir = path.join(root, name);
    await cp(good, dir, { recursive: true });
    return dir;
  }

  async function expectImportRefused(location: string, message: string | RegExp): Promise<void> {
    const dataDir = path.join(root, `data-${path.basename(location)}`);
    await expect(importModel(location, dataDir)).rejects.toThrow(message);
    expect(await readdir(path.join(dataDir, 'runs')).catch(() => [])).toEqual([]);
  }

  it('names a missing weight file', async () => {
    const dir = await copyOfGood('missing');
    await rm(path.join(dir, 'group1-shard1of1.bin'));
    await expectImportRefused(dir, `${dir}/group1-shard1of1.bin: the file metadata.json lists is missing.`);
  });

  it('names a cut or changed weight file', async () => {
    const cut = await copyOfGood('cut');
    await truncate(path.join(cut, 'group1-shard1of1.bin'), 100);
    await expectImportRefused(cut, /cut\/group1-shard1of1\.bin: expected the file metadata.json describes \(\d+ bytes, SHA-256 [0-9a-f]{12}…\)\. Received: 100 bytes/);
    const flipped = await copyOfGood('flipped');
    const shard = path.join(flipped, 'group1-shard1of1.bin');
    const bytes = await readFile(shard);
    bytes[10] ^= 0xff;
    await writeFile(shard, bytes);
    await expectImportRefused(flipped, /flipped\/group1-shard1of1\.bin: .*\(a corrupt or changed file\)/);
    // Without metadata to check against, the manifest's sizes still catch a cut shard.
    const files = new Map([
      ['model.json', await readFile(path.join(good, 'model.json'))],
      ['group1-shard1of1.bin', (await readFile(path.join(good, 'group1-shard1of1.bin'))).subarray(0, 64)],
    ]);
    await expect(readModelArtifacts(async (name) => files.get(name), 'here')).rejects.toThrow(
      /^here\/group1-shard1of1\.bin: expected [\d,]+ bytes of weights as model\.json lists them\. Received: 64 bytes \(a cut or corrupt weight file\)$/,
    );
  });

  it("refuses another tool's model.json: a plain tfjs folder, a graph model, an unknown layer class", async () => {
    const plain = path.join(root, 'plain-tfjs');
    await mkdir(plain);
    await writeFile(path.join(plain, 'model.json'), await readFile(path.join(good, 'model.json')));
    await expectImportRefused(plain, `${plain}: expected an RNN Workbench export's metadata (metadata.json). Received: no metadata.json`);

    const graph = JSON.stringify({ format: 'graph-model', generatedBy: '2.15.0', convertedBy: 'TensorFlow.js Converter v4.22.0', modelTopology: { node: [] }, weightsManifest: [] });
    await expect(readModelArtifacts(async (name) => (name === 'model.json' ? new TextEncoder().encode(graph) : undefined), 'g')).rejects.toThrow(
      'g/model.json: expected a TensorFlow.js layers model. Received: a graph model (TensorFlow.js Converter v4.22.0), which has no layers to train or export',
    );
    await expect(readModelArtifacts(async (name) => (name === 'model.json' ? new TextEncoder().encode('{"hello": 1}') : undefined), 'h')).rejects.toThrow(
      'h/model.json: expected a TensorFlow.js layers model with "modelTopology" and "weightsManifest". Received: an object with keys hello',
    );
    const json = JSON.parse(await readFile(path.join(good, 'model.json'), 'utf8'));
    json.modelTopology.config.layers[1].class_name = 'TFOpLambda';
    const shard = await readFile(path.join(good, 'group1-shard1of1.bin'));
    const artifacts = await readModelArtifacts(async (name) => (name === 'model.json' ? new TextEncoder().encode(JSON.stringify(json)) : name === 'group1-shard1of1.bin' ? shard : undefined), 'k');
    await expect(loadModelFromArtifacts(artifacts, 'k')).rejects.toThrow(
      'k/model.json: expected a model TensorFlow.js can build from its layers. Received: a layer class TensorFlow.js does not have (TFOpLambda); custom and Lambda layers cannot be loaded',
    );
  });

  it('refuses a zip with entries outside the export', async () => {
    const zip = path.join(root, 'evil.zip');
    await writeFile(zip, zipSync({ '../escape.txt': new TextEncoder().encode('x'), 'metadata.json': new TextEncoder().encode('{}') }));
    await expectImportRefused(zip, `${zip}: expected a .zip made by RNN Workbench's export. Received: entry "../escape.txt" is not a plain file of an export`);
    expect(await exists(path.join(root, 'escape.txt'))).toBe(false);
  });
});
