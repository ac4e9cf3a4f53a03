// `npm start`: builds and launches the desktop app. `npm ci` does not let Electron's install script download its
// binary (package.json's allowScripts), so the first start runs that installer once (what `npx install-electron`
// runs); where it cannot download, it says why and points to the same app in the browser.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { findElectronBinary } from './electron-binary.mjs';

/** Runs Electron's own installer; returns its failure's last line, or undefined when it succeeded. */
function installElectron() {
  let installer;
  try {
    installer = createRequire(import.meta.url).resolve('electron/install.js');
  } catch {
    return 'the electron package is not installed (run npm ci)';
  }
  process.stderr.write('The Electron binary is not installed yet; downloading it once (npx install-electron)…\n');
  const run = spawnSync(process.execPath, [installer], { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  if (run.status === 0) return undefined;
  const lines = (run.stderr ?? '').split('\n').filter((line) => line.trim() !== '' && !/^\s+at /.test(line));
  return lines.at(-1) ?? `exit code ${run.status ?? run.signal}`;
}

let found = findElectronBinary();
// An explicit ELECTRON_OVERRIDE_DIST_PATH names the binary to use: nothing to install.
if (found.binary === undefined && !process.env.ELECTRON_OVERRIDE_DIST_PATH) {
  const failure = installElectron();
  found = failure === undefined ? findElectronBinary() : { reason: `Electron's installer could not install it: ${failure}` };
}
if (found.binary === undefined) {
  process.stderr.write(
    `RNN Workbench cannot start the desktop app: ${found.reason}.\n` +
      'Use the same app in your browser instead:  npm run serve\n' +
      '(or install Electron where it can be downloaded: npx install-electron)\n',
  );
  process.exit(1);
}
const build = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const app = spawnSync(found.binary, ['.', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(app.status ?? 1);
