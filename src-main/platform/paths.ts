import { homedir } from 'node:os';
import path from 'node:path';

/**
 * Where runs, dataset caches and autosaves live outside Electron (CLI, web mode, tests):
 * `$RNN_WORKBENCH_HOME`, else `~/.rnn-workbench`. The desktop app passes Electron's userData folder instead.
 */
export function resolveDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.RNN_WORKBENCH_HOME;
  return fromEnv !== undefined && fromEnv !== '' ? path.resolve(fromEnv) : path.join(homedir(), '.rnn-workbench');
}
