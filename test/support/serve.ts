import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface ServedApp {
  url: string;
  origin: string;
  port: number;
  token: string;
  dataDir: string;
  /** The server's process id (its data parser processes are its children). */
  pid: number;
  output(): string;
  stop(): Promise<void>;
  /** Kills the server with SIGKILL, as a crash would, and waits for it to go; its data folder stays. */
  kill(): Promise<void>;
}

/**
 * Starts `rnn-workbench serve --port 0` as a user would, with its own data folder, and reads the printed
 * URL. `home` reuses a data folder (as a relaunch does); the caller owns it, so `stop` leaves it.
 */
export async function startServe(env: Record<string, string> = {}, home?: string): Promise<ServedApp> {
  const dataDir = home ?? mkdtempSync(path.join(tmpdir(), 'rnn-workbench-home-'));
  const child: ChildProcess = spawn(process.execPath, [path.join(repoRoot, 'bin/rnn-workbench.mjs'), 'serve', '--port', '0'], {
    cwd: repoRoot,
    env: { ...process.env, RNN_WORKBENCH_HOME: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL within 30 s:\n${output}`)), 30_000);
    const check = () => {
      const match = /Open: (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    port: Number(parsed.port),
    token: parsed.searchParams.get('token')!,
    dataDir,
    pid: child.pid!,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      if (home === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
