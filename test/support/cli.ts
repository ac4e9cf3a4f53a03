/**
 * Runs the CLI as a user's shell does, `node bin/rnn-workbench.mjs ARGS`, with its home folder
 * (RNN_WORKBENCH_HOME) at `home`. A command that fails is a result to check, not an exception.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const bin = path.resolve(import.meta.dirname, '../../bin/rnn-workbench.mjs');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(home: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], { env: { ...process.env, RNN_WORKBENCH_HOME: home, ...env }, maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as CliResult;
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
