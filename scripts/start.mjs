// `npm start`: builds and launches the desktop app, or explains how to use the browser UI instead.
import { spawnSync } from 'node:child_process';
import { findElectronBinary } from './electron-binary.mjs';

const found = findElectronBinary();
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
