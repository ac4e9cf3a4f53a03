// The desktop tier: the built bundles (out/main/index.js with its chunks and worker entries, out/preload/index.cjs,
// out/renderer) run together on the electron test host, with a real Chromium page as the window. `npm run
// test:desktop` builds them first.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { repoRoot } from '../support/serve';
import { buildModel, exportAndCancel, KERAS_LSTM, openKerasModel, openSampleData, saveAndReopenProject, trainOneEpochAndStop, tryReview, type DesktopDriver } from './flows';
import { launchDesktopApp, type LaunchedApp } from './host/launch';

let chromium: Awaited<ReturnType<typeof launchChromium>>;
let launched: LaunchedApp;
let driver: DesktopDriver;
let workDir: string;
let userData: string;

beforeAll(async () => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'rnn-workbench-desktop-'));
  chromium = await launchChromium();
  const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 800 } });
  launched = await launchDesktopApp({ appPath: repoRoot, appData: workDir, resourcesPath: path.join(workDir, 'resources'), isPackaged: false, browser: context });
  const { testHost } = launched.electron;
  userData = launched.electron.app.getPath('userData');
  driver = {
    page: launched.page,
    answerOpen: async (filePaths) => testHost.answerDialog({ kind: 'open', filePaths }),
    answerSave: async (filePath) => testHost.answerDialog({ kind: 'save', filePath }),
  };
});

afterAll(async () => {
  await chromium?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('the built desktop app on the electron test host', () => {
  it('serves the renderer from app:// with its CSP, and answers over IPC through the preload', async () => {
    const { page } = launched;
    expect(launched.electron.testHost.windows()[0]!.webContents.getURL()).toBe('app://workbench/index.html');
    await expect.poll(() => page.getByTestId('app-info').textContent()).toBe('v0.1.0 · electron');
    const response = await page.request.get('http://app.workbench.localhost/index.html').catch(() => undefined);
    expect(response).toBeUndefined();
    const csp = await page.evaluate(async () => (await fetch('/index.html')).headers.get('content-security-policy'));
    expect(csp).toContain("default-src 'self'");
    // The renderer sees one object, no Node and no IPC.
    expect(await page.evaluate(() => [typeof (globalThis as { require?: unknown }).require, typeof (globalThis as { process?: unknown }).process])).toEqual(['undefined', 'undefined']);
    expect(await page.evaluate(() => Object.keys(window).filter((key) => key.startsWith('__electron')))).toEqual([]);
  });

  it('starts the main process without TensorFlow.js: only the engine worker loads it, once the status bar asks', async () => {
    await expect.poll(() => launched.page.getByTestId('engine-info').textContent(), { timeout: 90_000 }).toMatch(/^engine \w+ · /);
    // tfjs keeps its engine in a global of the thread that loads it (test/desktop/bundle.test.ts shows it appears).
    expect((globalThis as { _tfengine?: unknown })._tfengine).toBeUndefined();
  }, 120_000);

  it("gives an error's code to the renderer as data (contextBridge would drop it from a thrown Error)", async () => {
    const reply = await launched.page.evaluate(() => (window as unknown as { workbench: { getRun(p: unknown): Promise<unknown> } }).workbench.getRun({ runId: '20260101-120000-a1b2c3' }));
    expect(reply).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it("opens a user's Keras file through the native Open dialog, its stack on the canvas", async () => {
    await openKerasModel(driver, KERAS_LSTM, '328,865');
    await driver.page.screenshot({ path: 'test-results/screenshots/desktop-keras.png' });
  }, 180_000);
  it('builds a model', () => buildModel(driver));
  it('opens the sample data through the native Open dialog, parsed in a utility process', async () => {
    await openSampleData(driver);
    expect(launched.electron.testHost.forkedServices).toContain('RNN Workbench data parser');
  }, 120_000);
  it('trains one short epoch with live charts, then stops', async () => {
    await trainOneEpochAndStop(driver);
    await driver.page.screenshot({ path: 'test-results/screenshots/desktop-trained.png' });
  }, 180_000);
  it('saves and reopens the project through the native dialogs', () => saveAndReopenProject(driver, path.join(workDir, 'Desktop flow.json')), 60_000);
  it('exports a run, and a cancelled export reads as a note', () => exportAndCancel(driver, path.join(workDir, 'model.h5')), 180_000);
  it('tries a review', async () => {
    await tryReview(driver);
    await driver.page.screenshot({ path: 'test-results/screenshots/desktop-runs.png' });
  }, 120_000);

  it('quits only once the workbench has disposed: a run training at quit ends as stopped', async () => {
    const { page, electron } = launched;
    await page.getByRole('tab', { name: 'Train' }).click();
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toMatch(/^Epoch \d+ of 30$/);
    electron.app.quit();
    expect(await electron.testHost.exited).toBe(0);
    const runsDir = path.join(userData, 'runs');
    const statuses = readdirSync(runsDir).map((id) => (JSON.parse(readFileSync(path.join(runsDir, id, 'run.json'), 'utf8')) as { status: string }).status);
    // The opened Keras model is a run of its own, done; the two trained here both ended as stopped.
    expect(statuses.sort()).toEqual(['done', 'stopped', 'stopped']);
    expect(electron.testHost.utilityProcesses()).toEqual([]);
  }, 120_000);
});
