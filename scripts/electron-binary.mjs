// Finds the Electron binary that npm's `electron` package would run, without triggering its download.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The binary's path, or undefined with the reason it is missing. */
export function findElectronBinary() {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const binary = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, process.platform === 'win32' ? 'electron.exe' : 'electron');
    return existsSync(binary) ? { binary } : { reason: `ELECTRON_OVERRIDE_DIST_PATH names no Electron binary: ${binary}` };
  }
  let packageDir;
  try {
    packageDir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed (run npm ci)' };
  }
  const pathFile = path.join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return { reason: `the Electron binary was never downloaded (no ${pathFile}); its install script fetches it from GitHub` };
  const binary = path.join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? { binary } : { reason: `the Electron binary is missing: ${binary}` };
}
