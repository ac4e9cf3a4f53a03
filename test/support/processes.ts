import { spawnSync } from 'node:child_process';

/**
 * The ids of `pid`'s data parser processes (`pgrep -P … -f`). Matched by their entry script, since a
 * process running from sources has other children too (tsx's esbuild service).
 */
export function parserPids(pid: number): number[] {
  return spawnSync('pgrep', ['-P', String(pid), '-f', 'worker-entry\\.mjs|data-worker\\.js'], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map(Number);
}
