// The renderer's half of the electron test host, evaluated in the page before its own scripts (see electron.ts).
// It runs the app's built preload as Electron runs a sandboxed preload: its `require` knows only 'electron'
// (contextBridge, ipcRenderer), and nothing it defines is visible to the page except what it exposes.
/* global window */

/**
 * @param {{ invokeBinding: string, dispatchKey: string }} options the binding that reaches ipcMain, and the key of
 *   the function the main side calls to deliver webContents.send messages
 * @param {(require: (name: string) => unknown, module: { exports: unknown }, exports: unknown) => void} runPreload
 */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- called by the init script electron.ts appends
function installPreload({ invokeBinding, dispatchKey }, runPreload) {
  const invokeMainSide = window[invokeBinding];
  delete window[invokeBinding];
  /** @type {Map<string, Set<Function>>} */
  const listeners = new Map();
  const ipcRenderer = {
    // Arguments are structured clones (a function throws DataCloneError, as in Electron); the main side's
    // failure arrives in Electron's "Error invoking remote method" wording.
    invoke: async (channel, ...args) => {
      const reply = await invokeMainSide(channel, structuredClone(args));
      if (!reply.ok) throw new Error(reply.message);
      return reply.value;
    },
    on(channel, listener) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel).add(listener);
      return ipcRenderer;
    },
    removeListener(channel, listener) {
      listeners.get(channel)?.delete(listener);
      return ipcRenderer;
    },
  };
  const ipcRendererEvent = { sender: ipcRenderer, ports: [] };
  Object.defineProperty(window, Symbol.for(dispatchKey), {
    value: (channel, args) => {
      for (const listener of [...(listeners.get(channel) ?? [])]) listener(ipcRendererEvent, ...args);
    },
  });

  // contextBridge's copy rules: functions are proxied both ways, plain objects are copied, other values are
  // structured clones, and a thrown or rejected error arrives as a plain Error with its message only.
  const copyError = (error) => new Error(error instanceof Error ? error.message : String(error));
  const bridge = (value) => {
    if (typeof value === 'function') {
      return (...args) => {
        let result;
        try {
          result = value(...args.map(bridge));
        } catch (error) {
          throw copyError(error);
        }
        if (result instanceof Promise) return result.then(bridge, (error) => Promise.reject(copyError(error)));
        return bridge(result);
      };
    }
    if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.freeze(Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, bridge(entry)])));
    }
    return value === undefined ? undefined : structuredClone(value);
  };
  const contextBridge = {
    exposeInMainWorld(key, api) {
      if (key in window) throw new Error('Cannot bind an API on top of an existing property on the window object');
      Object.defineProperty(window, key, { value: bridge(api), enumerable: true });
    },
  };
  const modules = { electron: { contextBridge, ipcRenderer } };
  const require = (name) => {
    if (!Object.hasOwn(modules, name)) throw new Error(`module not found: ${name}`);
    return modules[name];
  };
  const module = { exports: {} };
  runPreload(require, module, module.exports);
}
