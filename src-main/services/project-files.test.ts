import { spawn } from 'node:child_process';
import { watch } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_PROJECT_BYTES } from '../../src-shared/desktop-api';
import { createProject, parseProject, serializeProject } from '../../src-shared/project';
import { TEMP_MARKER } from '../platform/atomic-file';
import { readProjectFile, removeStrayTempsOf, writeProjectFile } from './project-files';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const DEAD_PID = 2 ** 22 + 12345;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'project-files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const temps = async (folder: string) => (await readdir(folder)).filter((name) => name.includes(TEMP_MARKER));

describe('project files', () => {
  it('round-trips a project and refuses what is not one, naming the file, without touching the saved file', async () => {
    const file = path.join(dir, 'model.json');
    const text = serializeProject(createProject());
    await writeProjectFile(file, text);
    expect(await readProjectFile(file)).toEqual({ name: 'model.json', path: file, text });

    await expect(writeProjectFile(file, '{"version": 1, "layers": [')).rejects.toThrow(`${file} must be a JSON project file. Received: invalid JSON`);
    await expect(writeProjectFile(file, '{"version": 1, "layers": 3}')).rejects.toThrow(`${file}: layers must be a list of layers. Received: 3`);
    await expect(writeProjectFile(file, 'x'.repeat(MAX_PROJECT_BYTES + 1))).rejects.toThrow(`expected a project of at most ${MAX_PROJECT_BYTES} bytes of JSON. Received: ${MAX_PROJECT_BYTES + 1} bytes`);
    expect(await readFile(file, 'utf8')).toBe(text);
    expect(await readdir(dir)).toEqual(['model.json']);
  });

  it('reports a missing file, a folder, an oversized file and an unwritable place clearly', async () => {
    const missing = path.join(dir, 'missing.json');
    await expect(readProjectFile(missing)).rejects.toThrow(`${missing}: expected a project file to open. Received: no such file or folder`);
    await expect(readProjectFile(dir)).rejects.toThrow(`${dir}: expected a project file to open. Received: a folder`);
    const big = path.join(dir, 'big.json');
    await writeFile(big, Buffer.alloc(MAX_PROJECT_BYTES + 1, 0x20));
    await expect(readProjectFile(big)).rejects.toThrow(`${big} is not a project file: expected at most ${MAX_PROJECT_BYTES} bytes of JSON. Received: ${MAX_PROJECT_BYTES + 1} bytes`);
    const nowhere = path.join(dir, 'no-such-folder', 'model.json');
    await expect(writeProjectFile(nowhere, serializeProject(createProject()))).rejects.toThrow(`${nowhere}: expected a place where the project may be saved. Received: no such file or folder`);
  });

  it("sweeps only this project's temps of dead writers, on save and on open", async () => {
    const file = path.join(dir, 'model.json');
    const names = {
      dead: `${TEMP_MARKER}model.json-${DEAD_PID}-abcdef12`,
      live: `${TEMP_MARKER}model.json-${process.pid}-abcdef12`,
      otherProject: `${TEMP_MARKER}other.json-${DEAD_PID}-abcdef12`,
      userFile: `${TEMP_MARKER}model.json-notes`,
      tagged: `model.json${TEMP_MARKER}${DEAD_PID}-x`,
    };
    for (const name of Object.values(names)) await writeFile(path.join(dir, name), 'x');
    await writeProjectFile(file, serializeProject(createProject()));
    expect((await readdir(dir)).sort()).toEqual(['model.json', names.live, names.otherProject, names.userFile, names.tagged].sort());

    await writeFile(path.join(dir, names.dead), 'x');
    await readProjectFile(file);
    expect(await readdir(dir)).not.toContain(names.dead);
    await expect(removeStrayTempsOf(path.join(dir, 'missing', 'model.json'))).resolves.toBeUndefined();
  });
});

/** A project of `layers` Dense layers, every one stamped with `generation`, so a torn mix of two saves shows. */
const bigProjectSource = `function bigProjectText(generation, layers) {
  return serializeProject(createProject(Array.from({ length: layers }, (_, k) => ({ id: 'g' + generation + '-' + k, kind: 'Dense', options: { units: generation } }))));
}`;
const bigProjectText = new Function('createProject', 'serializeProject', `${bigProjectSource}; return bigProjectText;`)(createProject, serializeProject) as (generation: number, layers: number) => string;

/** The generation of a saved project, after checking it is whole: parseable, every layer of one save, byte-exact. */
function generationOf(text: string, layers: number): number {
  const project = parseProject(text, 'saved project');
  expect(project.layers).toHaveLength(layers);
  const generation = Number(project.layers[0]!.options.units);
  expect(text).toBe(bigProjectText(generation, layers));
  return generation;
}

describe('project saves under SIGKILL', () => {
  // Each iteration starts a tsx child (about a second here), so the default stays small; set
  // RNN_WORKBENCH_KILL_ITERATIONS for a long run.
  const iterations = Number(process.env.RNN_WORKBENCH_KILL_ITERATIONS ?? 4);
  const layers = 12_000;

  it(`leaves the old project or a new one, whole, across ${iterations} kills at random moments, and the next save sweeps the temps`, async () => {
    const projectDir = path.join(dir, 'projects');
    await mkdir(projectDir);
    const file = path.join(projectDir, 'big.json');
    await writeProjectFile(file, bigProjectText(0, layers));
    // The child saves generation after generation of a ~3 MB project until it is killed.
    const script = path.join(dir, 'saver.mts');
    await writeFile(
      script,
      `import { createProject, serializeProject } from ${JSON.stringify(pathToFileURL(path.join(repoRoot, 'src-shared/project.ts')).href)};
import { writeProjectFile } from ${JSON.stringify(pathToFileURL(path.join(repoRoot, 'src-main/services/project-files.ts')).href)};
const [file, first, layers] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
${bigProjectSource}
for (let generation = first; ; generation++) {
  await writeProjectFile(file, bigProjectText(generation, layers));
  if (generation === first) process.stdout.write('ready\\n');
}
`,
    );

    let generation = 0;
    // Kills that left a temp file, that is landed between the temp's open and the rename: [on temp, random].
    const midWrite = [0, 0];
    for (let i = 0; i < iterations; i++) {
      const child = spawn(process.execPath, ['--import', 'tsx', script, file, String(generation + 1), String(layers)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('ready')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`saver exited early with ${code}`)));
      });
      // Its first save swept the temp the previous child was killed with.
      expect((await temps(projectDir)).every((name) => name.includes(`-${child.pid}-`))).toBe(true);
      if (i % 2 === 0) {
        // Kill the moment a temp file appears: the save is then between open and rename.
        const watcher = watch(projectDir, (_event, name) => {
          if (name?.includes(TEMP_MARKER)) child.kill('SIGKILL');
        });
        await exited;
        watcher.close();
      } else {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 300));
        child.kill('SIGKILL');
        await exited;
      }
      if ((await temps(projectDir)).length > 0) midWrite[i % 2]! += 1;
      const saved = generationOf(await readFile(file, 'utf8'), layers);
      // Old or new, never older than what was there before the kill.
      expect(saved).toBeGreaterThan(generation);
      generation = saved;
    }
    const onTemp = Math.ceil(iterations / 2);
    console.log(
      `project saves under SIGKILL: ${iterations} kills, every file whole; mid-write (temp left): ${midWrite[0]} of ${onTemp} killed as the temp appeared, ${midWrite[1]} of ${iterations - onTemp} killed 0-300 ms into saving; last generation ${generation}`,
    );
    expect(midWrite[0]! + midWrite[1]!).toBeGreaterThan(0);

    await writeProjectFile(file, bigProjectText(generation + 1, layers));
    expect(await readdir(projectDir)).toEqual(['big.json']);
    expect(generationOf(await readFile(file, 'utf8'), layers)).toBe(generation + 1);
  }, 30_000 + iterations * 5_000);
});
