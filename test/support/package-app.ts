// Packs the built app (out/) with the repo's electron-builder.yml into an unpacked folder, as `npm run dist`
// does but without installers, signing or a download: Electron comes from `electronDist`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FuseV1Options } from '@electron/fuses';
// @electron/fuses 1.x exports the fuse states only from this module.
import { FuseState, SENTINEL } from '@electron/fuses/dist/constants';
import { repoRoot } from './serve';

/** The fuse wire electron-builder.yml asks for, as @electron/fuses reads it back from a packaged binary. */
export const RELEASE_FUSES = {
  [FuseV1Options.RunAsNode]: FuseState.DISABLE,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: FuseState.DISABLE,
  [FuseV1Options.EnableNodeCliInspectArguments]: FuseState.DISABLE,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: FuseState.ENABLE,
  [FuseV1Options.OnlyLoadAppFromAsar]: FuseState.ENABLE,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: FuseState.DISABLE,
  [FuseV1Options.EnableCookieEncryption]: FuseState.ENABLE,
};

/**
 * Runs `electron-builder --dir` and returns the packaged app's executable.
 *
 * Args:
 *   electronDist: the folder holding the Electron binary (on macOS, the one holding Electron.app).
 *   outputDir: an empty folder for electron-builder's output.
 */
export function packApp(electronDist: string, outputDir: string): string {
  const packed = spawnSync(
    'npx',
    [
      'electron-builder',
      '--dir',
      '--publish',
      'never',
      `-c.directories.output=${outputDir}`,
      `-c.electronDist=${electronDist}`,
    ],
    { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false' } },
  );
  if (packed.status !== 0) throw new Error(`electron-builder --dir failed (${packed.status ?? packed.signal}):\n${packed.stdout}\n${packed.stderr}`);
  return packagedExecutable(outputDir);
}

/** The unpacked app's executable in electron-builder's --dir output (linux-unpacked, win-unpacked, mac*). */
function packagedExecutable(outputDir: string): string {
  const dirs = readdirSync(outputDir).map((name) => path.join(outputDir, name));
  const inDir =
    process.platform === 'darwin' ? 'RNN Workbench.app/Contents/MacOS/RNN Workbench' : process.platform === 'win32' ? 'RNN Workbench.exe' : 'rnn-workbench';
  const executable = dirs.map((dir) => path.join(dir, inDir)).find((candidate) => existsSync(candidate));
  if (executable === undefined) throw new Error(`electron-builder --dir left no ${inDir} in ${outputDir}. Found: ${dirs.join(', ')}`);
  return executable;
}

/** Stock Electron's fuse wire: Node mode, NODE_OPTIONS, --inspect and file:// privileges on; asar checks off. */
export const STOCK_WIRE: Record<FuseV1Options, FuseState> = {
  [FuseV1Options.RunAsNode]: FuseState.ENABLE,
  [FuseV1Options.EnableCookieEncryption]: FuseState.DISABLE,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: FuseState.ENABLE,
  [FuseV1Options.EnableNodeCliInspectArguments]: FuseState.ENABLE,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: FuseState.DISABLE,
  [FuseV1Options.OnlyLoadAppFromAsar]: FuseState.DISABLE,
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: FuseState.DISABLE,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: FuseState.ENABLE,
};

/** Writes a stand-in `electron` whose only content Electron tooling reads is the fuse wire (version 1). */
export function writeStandInElectron(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const wire = Object.values(FuseV1Options)
    .filter((option): option is FuseV1Options => typeof option === 'number')
    .map((option) => STOCK_WIRE[option]);
  writeFileSync(path.join(dir, 'electron'), Buffer.concat([Buffer.from(SENTINEL), Buffer.from([1, wire.length, ...wire])]), { mode: 0o755 });
}
