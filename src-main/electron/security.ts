// The desktop window's security decisions, kept free of Electron's runtime (type-only imports) so plain-Node
// tests can pin them; main.ts only wires them to the session and the IPC binding.
import type { Session, WebFrameMain, WebPreferences } from 'electron';
import { contentSecurityPolicy } from '../platform/content-security-policy';
import type { Logger } from '../platform/logger';

/** The UI is served from app://workbench/ rather than file://: a real origin, the CSP, no disk access. */
export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://workbench`;

export const WINDOW_CONTENT_SECURITY_POLICY = contentSecurityPolicy();

/** Electron's security checklist: isolated, sandboxed, no Node in the renderer. */
export function windowWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    sandbox: true,
    webSecurity: true,
    allowRunningInsecureContent: false,
    spellcheck: false,
  };
}

/** Whether a navigation target stays inside the app. */
export function isAppUrl(url: string): boolean {
  return url.startsWith(APP_ORIGIN + '/');
}

/** What the trust decision reads of a frame; a real `WebFrameMain` is one. */
export type SenderFrame = Pick<WebFrameMain, 'url' | 'detached'>;

/**
 * What the trust decision reads of an IPC event; a real `IpcMainInvokeEvent` is one, so `ipcMain.handle`
 * listeners pass theirs straight in.
 */
export interface IpcSender {
  /** Null once the sending frame has navigated or been destroyed (Electron's own contract). */
  readonly senderFrame: SenderFrame | null;
  readonly sender: { readonly mainFrame: SenderFrame };
}

/**
 * Whether an IPC message comes from the app's own top frame. A subframe, a frame showing anything but
 * app://workbench/, or a frame that is gone by the time the message is handled may not call the main side.
 */
export function isTrustedSender(event: IpcSender): boolean {
  const frame = event.senderFrame;
  return frame !== null && !frame.detached && frame === event.sender.mainFrame && isAppUrl(frame.url);
}

type RequestHandler = NonNullable<Parameters<Session['setPermissionRequestHandler']>[0]>;
type CheckHandler = NonNullable<Parameters<Session['setPermissionCheckHandler']>[0]>;
/** A permission a page may request, as Electron names it ('media', 'geolocation', 'notifications', …). */
export type RequestedPermission = Parameters<RequestHandler>[1];
/** A permission a page may check, as Electron names it. */
export type CheckedPermission = Parameters<CheckHandler>[1];

/**
 * The session's permission request handler: the app needs no camera, microphone, location, notification or
 * any other browser permission, so every request is refused and logged with who asked.
 */
export function denyPermissionRequests(
  log: Pick<Logger, 'warn'>,
): (contents: unknown, permission: RequestedPermission, callback: (granted: boolean) => void, details: Parameters<RequestHandler>[3]) => void {
  return (_contents, permission, callback, details) => {
    log.warn(`denied permission request '${permission}' from ${details.requestingUrl}${details.isMainFrame ? '' : ' (a subframe)'}`);
    callback(false);
  };
}

/**
 * The session's permission check handler: every check answers no. Pages probe permissions often, so each
 * permission and origin is logged once rather than on every probe.
 */
export function denyPermissionChecks(
  log: Pick<Logger, 'warn'>,
): (contents: unknown, permission: CheckedPermission, requestingOrigin: string, details: Parameters<CheckHandler>[3]) => false {
  const logged = new Set<string>();
  return (_contents, permission, requestingOrigin) => {
    const key = `${permission} ${requestingOrigin}`;
    if (!logged.has(key)) {
      logged.add(key);
      log.warn(`denied permission check '${permission}' from ${requestingOrigin || 'an unknown origin'}`);
    }
    return false;
  };
}
