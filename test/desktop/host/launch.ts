// Boots a built RNN Workbench main bundle in this process, the way `electron <appPath>` would, with the electron
// test host in place of Electron and real Chromium pages for its windows.
import { createRequire, register } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { register as registerTsx } from 'tsx/esm/api';
import type * as ElectronTestHost from './electron';

/**
 * Node's own `import()`, not vitest's: the bundle must load as Node loads it, through the hook that resolves
 * 'electron' to the test host (vitest transforms what its own imports load).
 */
const nativeImport = createRequire(import.meta.url)('./native-import.cjs') as (specifier: string) => Promise<unknown>;

let registered = false;

export interface LaunchOptions {
  /** The app folder: what `electron <appPath>` is given (the project, or an unpacked app.asar). */
  appPath: string;
  /** Electron's appData folder; userData is `<appData>/<productName>`. */
  appData: string;
  /** `process.resourcesPath`: the packaged app's resources folder. */
  resourcesPath: string;
  isPackaged: boolean;
  /** The Chromium context the app's windows open in. */
  browser: BrowserContext;
}

export interface LaunchedApp {
  electron: typeof ElectronTestHost;
  /** The first window's page. */
  page: Page;
}

/** Loads `<appPath>/<package.json main>` with the test host as Electron; resolves once the first window has loaded. */
export async function launchDesktopApp(options: LaunchOptions): Promise<LaunchedApp> {
  if (!registered) {
    registerTsx();
    register('./register.mjs', import.meta.url);
    registered = true;
  }
  const electron = (await nativeImport(new URL('./electron.ts', import.meta.url).href)) as typeof ElectronTestHost;
  await electron.testHost.configure(options);
  const { main } = JSON.parse(readFileSync(path.join(options.appPath, 'package.json'), 'utf8')) as { main: string };
  await nativeImport(pathToFileURL(path.join(options.appPath, main)).href);
  await electron.testHost.start();
  let window: ElectronTestHost.BrowserWindow | undefined;
  for (let waited = 0; (window = electron.testHost.windows()[0]) === undefined; waited += 50) {
    if (waited > 30_000) throw new Error('the app opened no window within 30 s of ready');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const loaded = new Promise((resolve) => window.webContents.once('did-finish-load', resolve));
  await window.whenCreated();
  await loaded;
  return { electron, page: window.webContents.page };
}
