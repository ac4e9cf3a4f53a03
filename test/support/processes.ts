import { spawnSync } from 'node:child_process';

/** The ids of `pid`'s child processes (`pgrep -P`): how tests find a parser process to kill. */
export function childPids(pid: number): number[] {
  return spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
}
