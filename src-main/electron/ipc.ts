import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { apiEvents, apiMethodNames, channelOf, type WorkbenchApi } from '../../src-shared/api';
import type { Reply } from '../../src-shared/errors';
import type { Logger } from '../platform/logger';
import { createDispatcher } from '../services/dispatch';

/**
 * Binds the workbench API to Electron IPC, one `ipcMain.handle` per method of the contract. Only the
 * app's own top frame may call; every reply is a Reply, so the preload can rethrow typed errors.
 */
export function bindIpc(api: WorkbenchApi, isTrustedSender: (event: IpcMainInvokeEvent) => boolean, log: Logger): () => void {
  const dispatch = createDispatcher(api, log);
  for (const method of apiMethodNames) {
    ipcMain.handle(channelOf(method), (event, params: unknown): Promise<Reply<unknown>> => {
      if (!isTrustedSender(event)) {
        log.warn(`refused IPC ${method} from ${event.senderFrame?.url ?? 'a destroyed frame'}`);
        return Promise.resolve({ ok: false, error: { code: 'invalid_request', message: 'Refused: IPC is only accepted from the app window.' } });
      }
      return dispatch(method, params);
    });
  }
  return () => apiMethodNames.forEach((method) => ipcMain.removeHandler(channelOf(method)));
}

/** Forwards every API event to a window until it closes. */
export function forwardEvents(api: WorkbenchApi, contents: WebContents): void {
  const unsubscribes = apiEvents.map((event) =>
    (api[event] as (listener: (payload: unknown) => void) => () => void)((payload) => {
      if (!contents.isDestroyed()) contents.send(channelOf(event), payload);
    }),
  );
  contents.once('destroyed', () => unsubscribes.forEach((unsubscribe) => unsubscribe()));
}
