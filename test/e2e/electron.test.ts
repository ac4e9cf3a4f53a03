import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
// @ts-expect-error -- a plain .mjs helper shared with `npm start`; it has no type declarations.
import { findElectronBinary } from '../../scripts/electron-binary.mjs';
import { repoRoot } from '../support/serve';

const found = findElectronBinary() as { binary?: string; reason?: string };
const skipReason = found.binary === undefined ? `Electron E2E skipped: ${found.reason}` : undefined;
if (skipReason !== undefined) console.warn(skipReason);

describe.skipIf(skipReason !== undefined)(`desktop app (Electron)${skipReason ? ` — ${skipReason}` : ''}`, () => {
  let app: ElectronApplication;
  let page: Page;

  beforeAll(async () => {
    const build = spawnSync('npx', ['electron-vite', 'build'], { cwd: repoRoot, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    app = await electron.launch({ executablePath: found.binary!, args: ['.', '--no-sandbox'], cwd: repoRoot });
    page = await app.firstWindow();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('renders the app shell from the app:// protocol and round-trips a request over IPC', async () => {
    expect(page.url()).toMatch(/^app:\/\/workbench\//);
    await expect.poll(() => page.getByTestId('app-info').textContent()).toMatch(/v\d+\.\d+\.\d+ · electron/);
  });

  it('runs the renderer isolated: no require, no process, only the preload\'s one object', async () => {
    // The preferences themselves are pinned by src-main/electron/security.test.ts; this checks their effect.
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
    expect(await page.evaluate(() => Object.keys((window as unknown as { workbench?: object }).workbench ?? {}).includes('getAppInfo'))).toBe(true);
  });

  it('blocks new windows and navigation away from the app', async () => {
    expect(await page.evaluate(() => window.open('https://example.com') === null)).toBe(true);
    await page.evaluate(() => (window.location.href = 'https://example.com/'));
    await page.waitForTimeout(500);
    expect(page.url()).toMatch(/^app:\/\/workbench\//);
    expect(app.windows()).toHaveLength(1);
  });

  it('enforces its Content-Security-Policy against inline script', async () => {
    const ran = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = true';
      document.body.append(script);
      return (window as { __inlineRan?: boolean }).__inlineRan === true;
    });
    expect(ran).toBe(false);
  });
});
