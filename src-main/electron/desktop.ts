import { BrowserWindow, dialog, ipcMain, type IpcMainInvokeEvent, type OpenDialogOptions } from 'electron';
import { desktopChannelOf, desktopMethodNames, desktopMethods, type DesktopApi, type DesktopMethodName } from '../../src-shared/desktop-api';
import { toErrorPayload, WorkbenchError, type Reply } from '../../src-shared/errors';
import type { Logger } from '../platform/logger';
import { readProjectFile, writeProjectFile } from '../services/project-files';

const projectFilters = [{ name: 'RNN Workbench project', extensions: ['json'] }];
const datasetFilters = [
  { name: 'IMDb data', extensions: ['gz', 'tgz', 'tar', 'npz', 'csv'] },
  { name: 'All files', extensions: ['*'] },
];

/** The native dialogs behind the desktop API, each parented to the window that asked. */
function createDesktop(window: BrowserWindow | null): DesktopApi {
  const show = (options: OpenDialogOptions) => (window ? dialog.showOpenDialog(window, options) : dialog.showOpenDialog(options));
  return {
    async openProjectFile() {
      const chosen = await show({ title: 'Open project', filters: projectFilters, properties: ['openFile'] });
      const file = chosen.filePaths[0];
      if (chosen.canceled || file === undefined) return null;
      return readProjectFile(file);
    },
    async saveProjectFile({ suggestedName, text, path: known }) {
      let file = known;
      if (file === undefined) {
        const options = { title: 'Save project', defaultPath: suggestedName, filters: projectFilters };
        const chosen = await (window ? dialog.showSaveDialog(window, options) : dialog.showSaveDialog(options));
        if (chosen.canceled || chosen.filePath === undefined) return null;
        file = chosen.filePath;
      }
      await writeProjectFile(file, text);
      return file;
    },
    async pickDatasetPath({ folder }) {
      const chosen = await show(
        folder
          ? { title: 'Open an aclImdb folder', properties: ['openDirectory'] }
          : { title: 'Open IMDb data', filters: datasetFilters, properties: ['openFile'] },
      );
      return chosen.canceled ? null : (chosen.filePaths[0] ?? null);
    },
    async pickModelFile({ kind }) {
      const chosen = await show(
        kind === 'keras'
          ? { title: 'Open a Keras model', filters: [{ name: 'Keras model', extensions: ['h5', 'hdf5', 'keras'] }], properties: ['openFile'] }
          : { title: kind === 'tokenizer' ? 'Choose its tokenizer' : 'Choose its architecture JSON', filters: [{ name: 'JSON', extensions: ['json'] }], properties: ['openFile'] },
      );
      return chosen.canceled ? null : (chosen.filePaths[0] ?? null);
    },
  };
}

/** Binds the desktop API to IPC for trusted senders; params are validated like the workbench API's. */
export function bindDesktop(isTrustedSender: (event: IpcMainInvokeEvent) => boolean, log: Logger): void {
  for (const method of desktopMethodNames) {
    ipcMain.handle(desktopChannelOf(method), async (event, params: unknown): Promise<Reply<unknown>> => {
      if (!isTrustedSender(event)) return { ok: false, error: { code: 'invalid_request', message: 'Refused: IPC is only accepted from the app window.' } };
      try {
        const parsed = desktopMethods[method].safeParse(params ?? {});
        if (!parsed.success) throw new WorkbenchError('invalid_request', `${method}: ${parsed.error.issues[0]?.message}`);
        const call = createDesktop(BrowserWindow.fromWebContents(event.sender))[method as DesktopMethodName] as (params: unknown) => Promise<unknown>;
        return { ok: true, value: await call(parsed.data) };
      } catch (error) {
        log.warn(`${method} failed: ${String(error)}`);
        return { ok: false, error: toErrorPayload(error) };
      }
    });
  }
}
