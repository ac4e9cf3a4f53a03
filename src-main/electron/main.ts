import { app, BrowserWindow, dialog, net, protocol, session, shell } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { useBundledEntries } from '../platform/entry-points';
import { createWorkbench } from '../services/workbench';
import { bundleLayout, nativeAddonPath } from './layout';
import { launchUtilityProcess } from './utility-process';
import { bindDesktop } from './desktop';
import { bindIpc, forwardEvents } from './ipc';
import { buildMenu } from './menu';
import {
  APP_ORIGIN,
  APP_SCHEME,
  denyPermissionChecks,
  denyPermissionRequests,
  isAppUrl,
  isTrustedSender,
  WINDOW_CONTENT_SECURITY_POLICY,
  windowWebPreferences,
} from './security';

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

const log = { warn: (message: string) => console.warn(message), error: (message: string) => console.error(message) };

function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = path.resolve(rendererDir, '.' + decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname));
    if (url.host !== 'workbench' || !file.startsWith(rendererDir + path.sep)) return new Response('Not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', WINDOW_CONTENT_SECURITY_POLICY);
    return new Response(response.body, { status: response.status, headers });
  });
}

function createWindow(preload: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 600,
    title: 'RNN Workbench',
    show: false,
    webPreferences: windowWebPreferences(preload),
  });
  window.once('ready-to-show', () => window.show());
  // No navigation away from the app and no new windows; external links open in the user's browser.
  window.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  // The renderer's beforeunload marks unsaved changes; Electron shows no prompt of its own, so ask here.
  window.webContents.on('will-prevent-unload', (event) => {
    const choice = dialog.showMessageBoxSync(window, {
      type: 'question',
      buttons: ['Discard changes', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      message: 'Discard unsaved changes?',
      detail: 'The model has changes that are not saved to a project file. A draft is kept and offered next time.',
    });
    if (choice === 0) event.preventDefault();
  });
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}

async function start(): Promise<void> {
  await app.whenReady();
  session.defaultSession.setPermissionRequestHandler(denyPermissionRequests(log));
  session.defaultSession.setPermissionCheckHandler(denyPermissionChecks(log));
  const layout = bundleLayout(app.getAppPath());
  serveRenderer(layout.rendererDir);
  useBundledEntries(layout.mainDir);
  // The engine worker threads read it from their copy of the environment (the override native.ts documents).
  process.env['RNN_WORKBENCH_NATIVE'] ??= nativeAddonPath(app, process.resourcesPath);

  const workbench = createWorkbench({ dataDir: app.getPath('userData'), host: 'electron', version: app.getVersion(), launchProcess: launchUtilityProcess });
  const windows = new Set<BrowserWindow>();
  bindIpc(workbench, isTrustedSender, log);
  bindDesktop(isTrustedSender, log);
  const open = () => {
    const window = createWindow(layout.preload);
    windows.add(window);
    forwardEvents(workbench, window.webContents);
    window.once('closed', () => windows.delete(window));
  };
  buildMenu({ newWindow: open });
  open();

  app.on('activate', () => {
    if (windows.size === 0) open();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  // Quitting waits for the workbench: a run's last checkpoint and run.json, the draft, the parser and worker
  // processes. Electron quits once will-quit passes without preventDefault, so hold it once, then quit again.
  let disposed: Promise<void> | undefined;
  app.on('will-quit', (event) => {
    if (disposed === undefined) {
      event.preventDefault();
      disposed = workbench.dispose().catch((error: unknown) => log.error(`closing the workbench failed: ${String(error)}`));
      void disposed.then(() => app.quit());
    }
  });
}

void start();
