// The desktop window's security settings, kept free of Electron's runtime so plain-Node tests can pin them.
import type { WebPreferences } from 'electron';
import { contentSecurityPolicy } from '../services/content-security-policy';

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
