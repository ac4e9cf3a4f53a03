/**
 * A test host of the Electron main-process and sandboxed-preload APIs that RNN Workbench calls, so the built
 * bundles (`out/main/index.js`, `out/preload/index.cjs`) run where the Electron binary cannot be installed.
 * Test code only: `test/desktop/host/register.ts` makes `import … from 'electron'` resolve here.
 *
 * Each API follows Electron's documented semantics where the app could tell the difference:
 * - IPC arguments and replies are structured clones; `ipcMain.handle` refuses a second handler for a channel;
 *   `ipcRenderer.invoke` rejects with "Error invoking remote method '<channel>': <error>" when the handler throws
 *   or none is registered; an invoke event's `senderFrame` is null once the frame is gone.
 * - `contextBridge.exposeInMainWorld` copies the object into the page: functions are proxied, values are
 *   structured clones, and a thrown or rejected Error reaches the page with its message only.
 * - `protocol.registerSchemesAsPrivileged` only before `ready`, `protocol.handle` only after; the handler
 *   answers every request of its scheme, headers included; a page of the scheme loads only if it is
 *   `standard`, and fetch() reaches it only with `supportFetchAPI`.
 * - `app.quit()`: 'before-quit', the windows close, 'will-quit' (whose preventDefault cancels the quit), 'quit'.
 * - `utilityProcess.fork`: a child with `process.parentPort` (MessageEvent-shaped messages), no Node IPC.
 * - Dialogs answer from a script the test sets; an unscripted dialog fails the test instead of hanging.
 *
 * A page is a real Chromium tab (playwright-core). Chromium cannot load a custom scheme, so an app-scheme URL
 * is loaded as `http://<scheme>.<host>.localhost/…` (a secure context, like a privileged `secure` scheme) and
 * every request to it is answered by the registered protocol handler; the window reports the app-scheme URL.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page, Route } from 'playwright-core';
import type * as Electron from 'electron';

// ---------------------------------------------------------------------------------------------------------
// The host's state, which the test configures before the app's main module loads.

interface HostConfig {
  appPath: string;
  appData: string;
  resourcesPath: string;
  isPackaged: boolean;
  browser: BrowserContext;
}

let config: HostConfig | undefined;
function host(): HostConfig {
  if (config === undefined) throw new Error('electron test host: configure() was not called before the app used Electron');
  return config;
}

const appState = {
  ready: false,
  quitting: false,
  resolveReady: () => {},
  resolveExited: (_code: number) => {},
};
const readyPromise = new Promise<void>((resolve) => (appState.resolveReady = resolve));

/** Scripted answers for the native dialogs, consumed in order. */
type DialogAnswer =
  | { kind: 'open'; filePaths: string[] }
  | { kind: 'save'; filePath: string }
  | { kind: 'message'; response: number };
const dialogScript: DialogAnswer[] = [];
const dialogLog: { kind: DialogAnswer['kind']; options: unknown }[] = [];

/** What the test sees of the host. */
export const testHost = {
  async configure(options: HostConfig): Promise<void> {
    config = options;
    (process as { resourcesPath: string }).resourcesPath = options.resourcesPath;
    packageJson = JSON.parse(await readFile(path.join(options.appPath, 'package.json'), 'utf8')) as PackageJson;
  },
  /** Queues the answer of the next native dialog (null cancels an open or save dialog). */
  answerDialog(answer: DialogAnswer): void {
    dialogScript.push(answer);
  },
  /** The dialogs shown so far, with the options the app passed. */
  dialogs: dialogLog,
  /** Emits `ready` as Electron does once the main script's first turn is done. */
  async start(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    appState.ready = true;
    app.emit('will-finish-launching');
    app.emit('ready', { preventDefault() {} }, {});
    appState.resolveReady();
  },
  /** Resolves with the exit code once the app quit (as the Electron process would exit). */
  exited: new Promise<number>((resolve) => (appState.resolveExited = resolve)),
  windows: () => [...windows],
  menu: () => applicationMenu,
  openedExternally: [] as string[],
  utilityProcesses: () => [...utilityProcesses],
  /** The serviceName of every utility process forked so far. */
  forkedServices: [] as (string | undefined)[],
  permissionHandlers: () => ({ request: permissionRequestHandler, check: permissionCheckHandler }),
};

function takeDialog(kind: DialogAnswer['kind'], options: unknown): DialogAnswer {
  dialogLog.push({ kind, options });
  const answer = dialogScript.shift();
  if (answer === undefined || answer.kind !== kind) {
    throw new Error(`electron test host: the app showed a ${kind} dialog, but the test scripted ${answer === undefined ? 'none' : `a ${answer.kind} dialog`}: ${JSON.stringify(options)}`);
  }
  return answer;
}

// ---------------------------------------------------------------------------------------------------------
// app

/** An Electron event: `preventDefault` records that a listener asked to cancel the default action. */
function cancellable(): { preventDefault(): void; defaultPrevented: boolean } {
  const event = {
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
  };
  return event;
}

interface PackageJson {
  name: string;
  productName?: string;
  version: string;
}
/** The app's package.json, from which Electron takes the app's name and version. */
let packageJson: PackageJson | undefined;

class App extends EventEmitter {
  get isPackaged(): boolean {
    return host().isPackaged;
  }
  whenReady(): Promise<void> {
    return readyPromise;
  }
  isReady(): boolean {
    return appState.ready;
  }
  getAppPath(): string {
    return host().appPath;
  }
  getName(): string {
    return packageJson!.productName ?? packageJson!.name;
  }
  getVersion(): string {
    return packageJson!.version;
  }
  /** userData is `<appData>/<name>`, as Electron derives it; the others the app does not ask for. */
  getPath(name: 'userData' | 'appData' | 'temp' | 'home'): string {
    switch (name) {
      case 'appData':
        return host().appData;
      case 'userData':
        return path.join(host().appData, this.getName());
      default:
        throw new Error(`electron test host: app.getPath('${name}') is not used by the app`);
    }
  }
  getAppMetrics(): { pid: number; type: string; name?: string }[] {
    return [{ pid: process.pid, type: 'Browser' }, ...[...utilityProcesses].filter((child) => child.pid !== undefined).map((child) => ({ pid: child.pid!, type: 'Utility', name: child.serviceName }))];
  }
  /** Electron's order: before-quit, every window closes (each may refuse), will-quit, quit, then the process exits. */
  quit(): void {
    if (appState.quitting) return;
    appState.quitting = true;
    void (async () => {
      const beforeQuit = cancellable();
      this.emit('before-quit', beforeQuit);
      if (beforeQuit.defaultPrevented) return void (appState.quitting = false);
      for (const window of [...windows]) await window.closeForQuit();
      if (windows.size > 0) return void (appState.quitting = false);
      const willQuit = cancellable();
      this.emit('will-quit', willQuit);
      if (willQuit.defaultPrevented) return void (appState.quitting = false);
      this.emit('quit', cancellable(), 0);
      appState.resolveExited(0);
    })();
  }
}

export const app = new App();

// ---------------------------------------------------------------------------------------------------------
// protocol, net, session, shell, Menu

const handledSchemes = new Map<string, (request: Request) => Response | Promise<Response>>();
let privilegedRegistered = false;

export const protocol = {
  registerSchemesAsPrivileged(schemes: Electron.CustomScheme[]): void {
    if (appState.ready) throw new Error('protocol.registerSchemesAsPrivileged must be called before the app is ready');
    if (privilegedRegistered) throw new Error('protocol.registerSchemesAsPrivileged can be called only once');
    privilegedRegistered = true;
    for (const scheme of schemes) privilegedSchemes.set(scheme.scheme, scheme.privileges ?? {});
  },
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void {
    if (!appState.ready) throw new Error('protocol.handle can only be used after the app is ready');
    if (handledSchemes.has(scheme)) throw new Error(`Failed to register protocol: ${scheme}`);
    handledSchemes.set(scheme, handler);
  },
  unhandle(scheme: string): void {
    handledSchemes.delete(scheme);
  },
  isProtocolHandled(scheme: string): boolean {
    return handledSchemes.has(scheme);
  },
};
const privilegedSchemes = new Map<string, Electron.Privileges>();

const mimeTypes: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};

export const net = {
  /** Chromium's network stack: file: URLs read the file (net::ERR_FILE_NOT_FOUND when missing); the rest go to the network. */
  async fetch(input: string | Request, init?: RequestInit): Promise<Response> {
    const url = typeof input === 'string' ? input : input.url;
    if (!url.startsWith('file:')) return fetch(input, init);
    const file = fileURLToPath(url);
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      throw new Error('net::ERR_FILE_NOT_FOUND');
    }
    return new Response(new Uint8Array(body), { status: 200, headers: { 'Content-Type': mimeTypes[path.extname(file)] ?? 'application/octet-stream' } });
  },
};

type PermissionRequestHandler = Parameters<Electron.Session['setPermissionRequestHandler']>[0];
type PermissionCheckHandler = Parameters<Electron.Session['setPermissionCheckHandler']>[0];
let permissionRequestHandler: PermissionRequestHandler = null;
let permissionCheckHandler: PermissionCheckHandler = null;

export const session = {
  defaultSession: {
    setPermissionRequestHandler(handler: PermissionRequestHandler): void {
      permissionRequestHandler = handler;
    },
    setPermissionCheckHandler(handler: PermissionCheckHandler): void {
      permissionCheckHandler = handler;
    },
  },
};

export const shell = {
  async openExternal(url: string): Promise<void> {
    testHost.openedExternally.push(url);
  },
};

interface MenuItemLike {
  label?: string;
  role?: string;
  accelerator?: string;
  type?: string;
  click?: () => void;
  submenu?: MenuLike;
}
interface MenuLike {
  items: MenuItemLike[];
}
let applicationMenu: MenuLike | null = null;

function buildMenu(template: Electron.MenuItemConstructorOptions[]): MenuLike {
  return {
    items: template.map((item) => {
      if (item.role === undefined && item.type !== 'separator' && item.label === undefined && item.submenu === undefined) {
        throw new Error(`Invalid template for MenuItem: must have at least one of label, role or type. Received: ${JSON.stringify(item)}`);
      }
      const submenu = Array.isArray(item.submenu) ? buildMenu(item.submenu) : undefined;
      const click = item.click as (() => void) | undefined;
      return { label: item.label, role: item.role, accelerator: item.accelerator, type: item.type, click, submenu };
    }),
  };
}

export const Menu = {
  buildFromTemplate: buildMenu,
  setApplicationMenu(menu: MenuLike | null): void {
    applicationMenu = menu;
  },
};

// ---------------------------------------------------------------------------------------------------------
// dialog

export const dialog = {
  async showOpenDialog(windowOrOptions: BrowserWindow | Electron.OpenDialogOptions, maybeOptions?: Electron.OpenDialogOptions): Promise<Electron.OpenDialogReturnValue> {
    const options = windowOrOptions instanceof BrowserWindow ? maybeOptions! : windowOrOptions;
    const answer = takeDialog('open', options) as Extract<DialogAnswer, { kind: 'open' }>;
    return { canceled: answer.filePaths.length === 0, filePaths: answer.filePaths };
  },
  async showSaveDialog(windowOrOptions: BrowserWindow | Electron.SaveDialogOptions, maybeOptions?: Electron.SaveDialogOptions): Promise<Electron.SaveDialogReturnValue> {
    const options = windowOrOptions instanceof BrowserWindow ? maybeOptions! : windowOrOptions;
    const answer = takeDialog('save', options) as Extract<DialogAnswer, { kind: 'save' }>;
    // Electron gives an empty path, not undefined, when the user cancels.
    return { canceled: answer.filePath === '', filePath: answer.filePath };
  },
  showMessageBoxSync(windowOrOptions: BrowserWindow | Electron.MessageBoxSyncOptions, maybeOptions?: Electron.MessageBoxSyncOptions): number {
    const options = windowOrOptions instanceof BrowserWindow ? maybeOptions! : windowOrOptions;
    return (takeDialog('message', options) as Extract<DialogAnswer, { kind: 'message' }>).response;
  },
};

// ---------------------------------------------------------------------------------------------------------
// ipcMain, and the renderer side of IPC (ipcRenderer, contextBridge) for a window's preload

type InvokeHandler = (event: InvokeEvent, ...args: unknown[]) => unknown;
interface InvokeEvent {
  sender: WebContents;
  senderFrame: WebFrameMain | null;
  frameId: number;
  processId: number;
}
const invokeHandlers = new Map<string, InvokeHandler>();

export const ipcMain = {
  handle(channel: string, listener: InvokeHandler): void {
    if (invokeHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    invokeHandlers.set(channel, listener);
  },
  removeHandler(channel: string): void {
    invokeHandlers.delete(channel);
  },
};

/** What `ipcRenderer.invoke` does in the main process: clone in, run the handler, clone out, Electron's wording on failure. */
async function invokeMain(contents: WebContents, channel: string, args: unknown[]): Promise<unknown> {
  const handler = invokeHandlers.get(channel);
  if (handler === undefined) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
  const frame = contents.isDestroyed() ? null : contents.mainFrame;
  try {
    return structuredClone(await handler({ sender: contents, senderFrame: frame, frameId: 1, processId: process.pid }, ...structuredClone(args)));
  } catch (error) {
    throw new Error(`Error invoking remote method '${channel}': ${String(error)}`, { cause: error });
  }
}

// ---------------------------------------------------------------------------------------------------------
// BrowserWindow, webContents, frames

const windows = new Set<BrowserWindow>();
let nextId = 1;
const DISPATCH_KEY = 'electron-test-host:ipc';

/** The http URL Chromium loads for an app-scheme URL, and back. */
function toPageUrl(url: string): string {
  const parsed = new URL(url);
  const scheme = parsed.protocol.slice(0, -1);
  // Electron resolves relative URLs (the renderer's ./assets/…) only under a scheme registered as
  // `standard`; a page of any other custom scheme stays unloadable here, as its scripts would there.
  if (!handledSchemes.has(scheme) || privilegedSchemes.get(scheme)?.standard !== true) return url;
  return `http://${scheme}.${parsed.host}.localhost${parsed.pathname}${parsed.search}${parsed.hash}`;
}
function fromPageUrl(url: string): string {
  const match = /^http:\/\/([a-z][a-z0-9+.-]*)\.([^/]+)\.localhost(\/.*)?$/.exec(url);
  if (match === null || !handledSchemes.has(match[1]!)) return url;
  return `${match[1]}://${match[2]}${match[3] ?? '/'}`;
}

export class WebFrameMain {
  detached = false;
  constructor(private readonly contents: WebContents) {}
  get url(): string {
    return this.contents.pageOrUndefined === undefined ? '' : fromPageUrl(this.contents.pageOrUndefined.url());
  }
}

export class WebContents extends EventEmitter {
  readonly id = nextId++;
  readonly mainFrame: WebFrameMain;
  private destroyed = false;
  private windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | undefined;
  /** Messages to the page, one after another, as IPC delivers them. */
  private deliveries: Promise<void> = Promise.resolve();

  /** Electron creates a window's contents at once; the Chromium page arrives a moment later, and what needs it waits. */
  readonly ready: Promise<void>;
  pageOrUndefined: Page | undefined;

  constructor(
    page: Promise<Page>,
    private readonly preload: string | undefined,
  ) {
    super();
    this.mainFrame = new WebFrameMain(this);
    this.ready = page.then((created) => {
      this.pageOrUndefined = created;
      return this.attach();
    });
  }

  get page(): Page {
    if (this.pageOrUndefined === undefined) throw new Error('electron test host: the page is not created yet');
    return this.pageOrUndefined;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  getURL(): string {
    return this.mainFrame.url;
  }

  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }): void {
    this.windowOpenHandler = handler;
  }

  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    const cloned = structuredClone(args);
    this.deliveries = this.deliveries.then(() => this.ready).then(() =>
      this.page
        .evaluate(([key, c, a]) => (window as unknown as Record<symbol, (channel: string, args: unknown[]) => void>)[Symbol.for(key)]?.(c, a), [DISPATCH_KEY, channel, cloned] as const)
        .catch(() => undefined),
    );
  }

  /** Wires the page: the preload before any page script, IPC, navigation and window-open decisions, beforeunload. */
  private async attach(): Promise<void> {
    const page = this.page;
    if (this.preload !== undefined) {
      const source = await readFile(this.preload, 'utf8');
      const invokeBinding = `__electronTestHostInvoke${this.id}`;
      await page.exposeBinding(invokeBinding, async (_source, channel: string, args: unknown[]) => {
        try {
          return { ok: true, value: await invokeMain(this, channel, args) };
        } catch (error) {
          return { ok: false, message: (error as Error).message };
        }
      });
      // Source text, not eval: the page's CSP forbids eval, and Electron runs preloads outside the page's CSP.
      const world = await readFile(new URL('./preload-world.js', import.meta.url), 'utf8');
      const options = JSON.stringify({ invokeBinding, dispatchKey: DISPATCH_KEY });
      await page.addInitScript({ content: `${world}\ninstallPreload(${options}, function (require, module, exports) {\n${source}\n});` });
    }
    await page.route('**/*', (route) => this.route(route));
    page.on('popup', (popup) => {
      const decision = this.windowOpenHandler?.({ url: popup.url() }) ?? { action: 'allow' };
      if (decision.action === 'deny') void popup.close();
    });
    page.on('dialog', (dialogEvent) => {
      if (dialogEvent.type() !== 'beforeunload') return void dialogEvent.dismiss();
      // Electron shows no prompt: the page stays unless a will-prevent-unload listener calls preventDefault.
      const event = cancellable();
      this.emit('will-prevent-unload', event);
      void (event.defaultPrevented ? dialogEvent.accept() : dialogEvent.dismiss());
    });
    page.on('close', () => {
      this.destroyed = true;
      this.mainFrame.detached = true;
      this.emit('destroyed');
    });
  }

  private expectedNavigation: string | undefined;

  async loadURL(url: string): Promise<void> {
    await this.ready;
    this.expectedNavigation = toPageUrl(url);
    await this.page.goto(this.expectedNavigation, { waitUntil: 'load' });
    this.emit('did-finish-load');
  }

  private async route(route: Route): Promise<void> {
    const request = route.request();
    const appUrl = fromPageUrl(request.url());
    if (request.isNavigationRequest() && request.frame() === this.page.mainFrame() && request.url() !== this.expectedNavigation) {
      // A navigation the page started: Electron asks will-navigate first.
      const event = cancellable();
      this.emit('will-navigate', event, appUrl);
      if (event.defaultPrevented) return route.abort('aborted');
    }
    this.expectedNavigation = undefined;
    const scheme = appUrl.split(':')[0]!;
    const handler = handledSchemes.get(scheme);
    if (handler === undefined || appUrl === request.url()) return route.abort('internetdisconnected');
    // fetch() reaches a custom scheme only with the supportFetchAPI privilege.
    if (request.resourceType() === 'fetch' && privilegedSchemes.get(scheme)?.supportFetchAPI !== true) return route.abort('accessdenied');
    try {
      const response = await handler(new Request(appUrl, { method: request.method(), headers: request.headers() }));
      await route.fulfill({ status: response.status, headers: Object.fromEntries(response.headers), body: Buffer.from(await response.arrayBuffer()) });
    } catch {
      await route.abort('failed');
    }
  }
}

export class BrowserWindow extends EventEmitter {
  private static readonly byContents = new Map<WebContents, BrowserWindow>();
  readonly id = nextId++;
  readonly webContents: WebContents;
  private visible = false;

  static fromWebContents(contents: WebContents): BrowserWindow | null {
    return BrowserWindow.byContents.get(contents) ?? null;
  }

  static getAllWindows(): BrowserWindow[] {
    return [...windows];
  }

  constructor(readonly options: Electron.BrowserWindowConstructorOptions = {}) {
    super();
    const prefs = options.webPreferences ?? {};
    if (prefs.preload !== undefined && (prefs.contextIsolation === false || prefs.sandbox !== true)) {
      throw new Error('electron test host: runs preloads as sandboxed, context-isolated preloads only (as the app configures them)');
    }
    windows.add(this);
    this.webContents = new WebContents(host().browser.newPage(), prefs.preload);
    BrowserWindow.byContents.set(this.webContents, this);
    void this.webContents.ready.then(() => this.webContents.page.on('close', () => this.onClosed()));
  }

  async loadURL(url: string): Promise<void> {
    await this.webContents.loadURL(url);
    if (!this.visible) this.emit('ready-to-show');
  }

  whenCreated(): Promise<void> {
    return this.webContents.ready;
  }

  show(): void {
    this.visible = true;
    this.emit('show');
  }

  isVisible(): boolean {
    return this.visible;
  }

  isDestroyed(): boolean {
    return !windows.has(this);
  }

  /** Electron's close: 'close' (cancellable), then the page's beforeunload, then 'closed'. */
  close(): void {
    void this.closeForQuit();
  }

  destroy(): void {
    void this.webContents.ready.then(() => this.webContents.page.close({ runBeforeUnload: false }));
  }

  /** Closes and resolves once it is closed or a listener or the page kept it open. */
  async closeForQuit(): Promise<void> {
    await this.webContents.ready;
    const event = cancellable();
    this.emit('close', event);
    if (event.defaultPrevented) return;
    const closed = new Promise<void>((resolve) => this.webContents.page.once('close', () => resolve()));
    await this.webContents.page.close({ runBeforeUnload: true });
    // With a beforeunload handler the page decides; wait briefly for its answer before reporting it open.
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
  }

  private onClosed(): void {
    if (!windows.delete(this)) return;
    BrowserWindow.byContents.delete(this.webContents);
    this.emit('closed');
    if (windows.size === 0 && !appState.quitting) {
      // Without a listener Electron quits; the app listens and decides itself.
      if (app.listenerCount('window-all-closed') > 0) app.emit('window-all-closed');
      else app.quit();
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// utilityProcess

const utilityProcesses = new Set<UtilityProcess>();
const UTILITY_ENTRY = fileURLToPath(new URL('./utility-parent-port.mjs', import.meta.url));

export class UtilityProcess extends EventEmitter {
  readonly child: ChildProcess;
  readonly serviceName: string | undefined;

  constructor(modulePath: string, args: string[], options: Electron.ForkOptions) {
    super();
    this.serviceName = options.serviceName;
    testHost.forkedServices.push(options.serviceName);
    const stdio = options.stdio ?? 'inherit';
    const [, out, err] = typeof stdio === 'string' ? [stdio, stdio, stdio] : stdio;
    this.child = fork(UTILITY_ENTRY, [modulePath, ...args], {
      execArgv: options.execArgv ?? [],
      env: (options.env as NodeJS.ProcessEnv | undefined) ?? process.env,
      cwd: options.cwd,
      serialization: 'advanced',
      stdio: ['ignore', out === 'pipe' ? 'pipe' : out === 'ignore' ? 'ignore' : 'inherit', err === 'pipe' ? 'pipe' : err === 'ignore' ? 'ignore' : 'inherit', 'ipc'],
    });
    utilityProcesses.add(this);
    this.child.once('spawn', () => this.emit('spawn'));
    this.child.on('message', (message) => this.emit('message', message));
    // Electron reports the waitpid status as a code; a signal shows up there, not as a second argument.
    this.child.once('exit', (code, signal) => {
      utilityProcesses.delete(this);
      this.emit('exit', code ?? (signal === null ? 0 : os.constants.signals[signal]));
    });
  }

  get pid(): number | undefined {
    return this.child.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }
  get stdout(): NodeJS.ReadableStream | null {
    return this.child.stdout;
  }
  get stderr(): NodeJS.ReadableStream | null {
    return this.child.stderr;
  }
  postMessage(message: unknown): void {
    this.child.send(message as never);
  }
  kill(): boolean {
    return this.child.kill();
  }
}

export const utilityProcess = {
  fork(modulePath: string, args: string[] = [], options: Electron.ForkOptions = {}): UtilityProcess {
    if (!appState.ready) throw new Error('utilityProcess cannot be forked before the app is ready');
    return new UtilityProcess(modulePath, args, options);
  },
};
