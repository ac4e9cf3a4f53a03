// Where the built app's files are, from the platform's app folder (`app.getAppPath()`: the project folder in
// development, `resources/app.asar` when packaged) and resources folder, never from a module's own location:
// the bundler moves modules into chunks.
import path from 'node:path';

/** electron-vite's output layout inside the app folder, which electron-builder packs as it is. */
export function bundleLayout(appPath: string): { mainDir: string; preload: string; rendererDir: string } {
  const out = path.join(appPath, 'out');
  return { mainDir: path.join(out, 'main'), preload: path.join(out, 'preload', 'index.cjs'), rendererDir: path.join(out, 'renderer') };
}

/**
 * The fused kernels' addon: electron-builder.yml copies it to `<resources>/native/` (outside the archive, as a
 * native module must be); in development it is where `npm run build:native` put it.
 */
export function nativeAddonPath(app: { isPackaged: boolean; getAppPath(): string }, resourcesPath: string): string {
  return app.isPackaged ? path.join(resourcesPath, 'native', 'rnn_kernels.node') : path.join(app.getAppPath(), 'native', 'build', 'Release', 'rnn_kernels.node');
}
