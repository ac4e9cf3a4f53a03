// The packaged layout: the app folder `electron-builder --dir` makes (with the stand-in Electron the packaging test
// uses), its app.asar unpacked with @electron/asar. The main bundle boots from that tree on the electron test host
// as the installed app would, and what must be read from disk outside the archive sits outside it.
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { extractAll, listPackage, statFile } from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { packApp, writeStandInElectron } from '../support/package-app';
import { SAMPLE_DATA } from './flows';
import { launchDesktopApp, type LaunchedApp } from './host/launch';

let workDir: string;
let resources: string;
let archiveFiles: string[];
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let launched: LaunchedApp;

beforeAll(async () => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'rnn-workbench-packaged-'));
  writeStandInElectron(path.join(workDir, 'electron-dist'));
  resources = path.join(path.dirname(packApp(path.join(workDir, 'electron-dist'), path.join(workDir, 'dist'))), 'resources');
  const archive = path.join(resources, 'app.asar');
  archiveFiles = listPackage(archive, { isPack: false }).map((file) => file.replace(/^[\\/]/, ''));
  // The unpacked tree stands where the archive was, so every path the app computes runs through `app.asar/`.
  const extracted = path.join(workDir, 'app.asar');
  extractAll(archive, extracted);
  renameSync(archive, path.join(workDir, 'app.asar.archive'));
  renameSync(extracted, archive);
  chromium = await launchChromium();
  launched = await launchDesktopApp({
    appPath: archive,
    appData: path.join(workDir, 'app-data'),
    resourcesPath: resources,
    isPackaged: true,
    browser: await chromium.browser.newContext({ viewport: { width: 1280, height: 800 } }),
  });
}, 300_000);

afterAll(async () => {
  await chromium?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('the packaged app (electron-builder --dir, app.asar unpacked)', () => {
  it('keeps every native addon and wasm file outside the archive, in app.asar.unpacked', () => {
    const archive = path.join(workDir, 'app.asar.archive');
    const mustBeOnDisk = archiveFiles.filter((file) => /\.(node|wasm)$/.test(file));
    expect(mustBeOnDisk.some((file) => file.endsWith('tfjs-backend-wasm.wasm'))).toBe(true);
    for (const file of mustBeOnDisk) {
      expect((statFile(archive, file) as { unpacked?: boolean }).unpacked, file).toBe(true);
      expect(existsSync(path.join(resources, 'app.asar.unpacked', file)), file).toBe(true);
    }
    expect(existsSync(path.join(resources, 'native', 'rnn_kernels.node'))).toBe(true);
  });

  it('boots from the packaged tree: the window, its version, and the engine with the fused kernels from resources/native', async () => {
    const { page } = launched;
    await expect.poll(() => page.getByTestId('app-info').textContent()).toBe('v0.1.0 · electron');
    await expect.poll(() => page.getByTestId('engine-info').textContent(), { timeout: 90_000 }).toMatch(/^engine wasm · fused/);
  }, 120_000);

  it('opens data through the packaged data parser', async () => {
    const { page, electron } = launched;
    await page.getByRole('tab', { name: 'Data' }).click();
    electron.testHost.answerDialog({ kind: 'open', filePaths: [SAMPLE_DATA] });
    await page.getByRole('button', { name: 'File…' }).click();
    await page.getByRole('button', { name: 'Open data' }).click();
    await page.getByTestId('data-preview').or(page.getByTestId('data-error')).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('data-error').allTextContents()).toEqual([]);
    expect(await page.getByTestId('train-count').textContent()).toBe('1,000');
  }, 120_000);
});
