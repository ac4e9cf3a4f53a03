import type { IpcMainInvokeEvent, MediaAccessPermissionRequest, PermissionCheckHandlerHandlerDetails, PermissionRequest, Session } from 'electron';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  denyPermissionChecks,
  denyPermissionRequests,
  isAppUrl,
  isTrustedSender,
  WINDOW_CONTENT_SECURITY_POLICY,
  windowWebPreferences,
  type IpcSender,
  type SenderFrame,
} from './security';

// These tests hand the decisions objects typed as Electron's own (WebFrameMain fields, IpcMainInvokeEvent,
// PermissionRequest); test/e2e/electron.test.ts checks the same decisions against the real objects in a
// running app (a foreign-origin window calling IPC, permission requests from the page).

function recordingLog() {
  const lines: string[] = [];
  return { lines, warn: (message: string) => lines.push(message) };
}

describe('desktop window security', () => {
  it('isolates and sandboxes the renderer with no Node integration', () => {
    expect(windowWebPreferences('/preload.cjs')).toMatchObject({
      preload: '/preload.cjs',
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      sandbox: true,
      webSecurity: true,
    });
  });

  it('allows navigation only inside app://workbench/', () => {
    expect(isAppUrl('app://workbench/index.html')).toBe(true);
    expect(isAppUrl('app://workbench.evil.example/')).toBe(false);
    expect(isAppUrl('https://example.com/')).toBe(false);
    expect(isAppUrl('file:///etc/passwd')).toBe(false);
  });

  it('forbids inline script and remote connections', () => {
    expect(WINDOW_CONTENT_SECURITY_POLICY).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(WINDOW_CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline\'; script');
    expect(WINDOW_CONTENT_SECURITY_POLICY).toContain("connect-src 'self';");
    expect(WINDOW_CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
  });
});

describe('isTrustedSender', () => {
  const appMainFrame: SenderFrame = { url: 'app://workbench/index.html', detached: false };
  const event = (senderFrame: SenderFrame | null, mainFrame: SenderFrame = appMainFrame): IpcSender => ({ senderFrame, sender: { mainFrame } });

  it('takes a real IpcMainInvokeEvent', () => {
    expectTypeOf<IpcMainInvokeEvent>().toExtend<IpcSender>();
  });

  it("accepts the app's own main frame", () => {
    expect(isTrustedSender(event(appMainFrame))).toBe(true);
  });

  it('refuses a subframe, even one showing an app:// page', () => {
    expect(isTrustedSender(event({ url: 'app://workbench/index.html', detached: false }))).toBe(false);
    expect(isTrustedSender(event({ url: 'about:srcdoc', detached: false }))).toBe(false);
  });

  it('refuses a main frame on a foreign origin', () => {
    const evil: SenderFrame = { url: 'https://evil.example/', detached: false };
    expect(isTrustedSender(event(evil, evil))).toBe(false);
    const lookalike: SenderFrame = { url: 'app://workbench.evil.example/index.html', detached: false };
    expect(isTrustedSender(event(lookalike, lookalike))).toBe(false);
    const data: SenderFrame = { url: 'data:text/html,<p>hi</p>', detached: false };
    expect(isTrustedSender(event(data, data))).toBe(false);
  });

  it('refuses a frame that is destroyed or detached by the time the message is handled', () => {
    expect(isTrustedSender(event(null))).toBe(false);
    const detached: SenderFrame = { url: 'app://workbench/index.html', detached: true };
    expect(isTrustedSender(event(detached, detached))).toBe(false);
  });
});

describe('permission handlers', () => {
  type RequestHandler = NonNullable<Parameters<Session['setPermissionRequestHandler']>[0]>;
  type CheckHandler = NonNullable<Parameters<Session['setPermissionCheckHandler']>[0]>;

  it("fit the session's setPermissionRequestHandler and setPermissionCheckHandler", () => {
    expectTypeOf(denyPermissionRequests(recordingLog())).toExtend<RequestHandler>();
    expectTypeOf(denyPermissionChecks(recordingLog())).toExtend<CheckHandler>();
  });

  it('refuses every request and logs what was asked and by whom', () => {
    const log = recordingLog();
    const deny = denyPermissionRequests(log);
    const answers: boolean[] = [];
    const camera: MediaAccessPermissionRequest = { isMainFrame: true, requestingUrl: 'app://workbench/index.html', mediaTypes: ['video'] };
    const location: PermissionRequest = { isMainFrame: false, requestingUrl: 'https://evil.example/' };
    deny(null, 'media', (granted) => answers.push(granted), camera);
    deny(null, 'geolocation', (granted) => answers.push(granted), location);
    deny(null, 'notifications', (granted) => answers.push(granted), { isMainFrame: true, requestingUrl: 'app://workbench/index.html' });
    expect(answers).toEqual([false, false, false]);
    expect(log.lines).toEqual([
      "denied permission request 'media' from app://workbench/index.html",
      "denied permission request 'geolocation' from https://evil.example/ (a subframe)",
      "denied permission request 'notifications' from app://workbench/index.html",
    ]);
  });

  it('answers every check with no, logging each permission and origin once', () => {
    const log = recordingLog();
    const check = denyPermissionChecks(log);
    const details: PermissionCheckHandlerHandlerDetails = { isMainFrame: true, requestingUrl: 'app://workbench/index.html' };
    expect(check(null, 'notifications', 'app://workbench', details)).toBe(false);
    expect(check(null, 'notifications', 'app://workbench', details)).toBe(false);
    expect(check(null, 'clipboard-read', 'app://workbench', details)).toBe(false);
    expect(check(null, 'notifications', '', { isMainFrame: false })).toBe(false);
    expect(log.lines).toEqual([
      "denied permission check 'notifications' from app://workbench",
      "denied permission check 'clipboard-read' from app://workbench",
      "denied permission check 'notifications' from an unknown origin",
    ]);
  });
});
