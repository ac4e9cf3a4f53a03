import { describe, expect, it } from 'vitest';
import { isAppUrl, WINDOW_CONTENT_SECURITY_POLICY, windowWebPreferences } from './security';

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
