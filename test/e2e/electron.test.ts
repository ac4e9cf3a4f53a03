import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { getCurrentFuseWire } from '@electron/fuses';
// @ts-expect-error -- a plain .mjs helper shared with `npm start`; it has no type declarations.
import { findElectronBinary } from '../../scripts/electron-binary.mjs';
import { buildModel, exportAndCancel, KERAS_LSTM, openKerasModel, openSampleData, saveAndReopenProject, trainOneEpochAndStop, tryReview, type DesktopDriver } from '../desktop/flows';
import { packApp, RELEASE_FUSES } from '../support/package-app';
import { repoRoot } from '../support/serve';

const found = findElectronBinary() as { binary?: string; reason?: string };
const skipReason = found.binary === undefined ? `Electron E2E skipped: ${found.reason}` : undefined;
if (skipReason !== undefined) console.warn(skipReason);
const preloadPath = path.join(repoRoot, 'out/preload/index.cjs');
const sampleData = path.resolve(repoRoot, '../shared/data/aclImdb-sample.tar.gz');

let built: ReturnType<typeof spawnSync> | undefined;
/** Builds out/ once for both describes. */
function buildApp(): void {
  built ??= spawnSync('npx', ['electron-vite', 'build'], { cwd: repoRoot, encoding: 'utf8' });
  expect(built.status, String(built.stderr)).toBe(0);
}

/** A fresh temp folder: app profiles (so tests never touch the user's own app data) and packaging output. */
function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

describe.skipIf(skipReason !== undefined)(`desktop app (Electron)${skipReason ? ` — ${skipReason}` : ''}`, () => {
  let app: ElectronApplication;
  let page: Page;
  let userData: string;
  // The main process logs what it refused (permissions, IPC) on stderr.
  let mainLog = '';

  beforeAll(async () => {
    buildApp();
    userData = tempDir('rnn-workbench-e2e-');
    app = await electron.launch({
      executablePath: found.binary!,
      // A fake camera, so getUserMedia can only fail for want of permission, not for want of a device.
      args: ['.', '--no-sandbox', `--user-data-dir=${userData}`, '--use-fake-device-for-media-stream'],
      cwd: repoRoot,
    });
    app.process().stderr?.on('data', (chunk: Buffer) => (mainLog += chunk.toString()));
    page = await app.firstWindow();
  });

  afterAll(async () => {
    await app?.close();
    if (userData) rmSync(userData, { recursive: true, force: true });
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

  it('denies permission requests and checks: notifications, camera, location', async () => {
    const answers = await page.evaluate(async () => {
      const notification = await Notification.requestPermission();
      const camera = await navigator.mediaDevices.getUserMedia({ video: true }).then(
        (stream) => {
          stream.getTracks().forEach((track) => track.stop());
          return 'granted';
        },
        (error: DOMException) => error.name,
      );
      const location = await new Promise<string>((resolve) =>
        navigator.geolocation.getCurrentPosition(
          () => resolve('granted'),
          (error) => resolve(error.code === error.PERMISSION_DENIED ? 'denied' : `error ${error.code}: ${error.message}`),
          { timeout: 10_000 },
        ),
      );
      const locationCheck = (await navigator.permissions.query({ name: 'geolocation' })).state;
      return { notification, camera, location, locationCheck };
    });
    expect(answers).toEqual({ notification: 'denied', camera: 'NotAllowedError', location: 'denied', locationCheck: 'denied' });
    // The app's handlers refused them (src-main/electron/security.ts), not a missing device or a default.
    await expect.poll(() => mainLog).toContain("denied permission request 'media' from app://workbench/");
    await expect.poll(() => mainLog).toContain("denied permission request 'geolocation' from app://workbench/");
  });

  // Approach: the app window's subframes never get the preload (no nodeIntegrationInSubFrames), so a frame
  // can only reach IPC through a window whose preload runs in it. The main process (app.evaluate) opens such
  // windows with the app's real preload on foreign documents, and the page calls the API as the app would;
  // the real IpcMainInvokeEvent then reaches isTrustedSender in the app's own ipcMain handlers.
  it("gives the app window's subframes no API object", async () => {
    const exposed = await page.evaluate(() => {
      const frame = document.createElement('iframe');
      document.body.append(frame);
      try {
        return frame.contentWindow !== null && 'workbench' in frame.contentWindow;
      } finally {
        frame.remove();
      }
    });
    expect(exposed).toBe(false);
  });

  it('refuses IPC from a main frame on a foreign origin', async () => {
    const reply = await app.evaluate(async ({ BrowserWindow }, preload) => {
      const window = new BrowserWindow({ show: false, webPreferences: { preload, contextIsolation: true, sandbox: true, nodeIntegration: false } });
      try {
        await window.loadURL('data:text/html,<title>foreign</title>');
        return (await window.webContents.executeJavaScript(
          "typeof window.workbench === 'object' ? window.workbench.getAppInfo({}).then((reply) => (reply.ok ? 'accepted' : reply.error.message)) : 'no preload'",
        )) as string;
      } finally {
        window.destroy();
      }
    }, preloadPath);
    expect(reply).toBe('Refused: IPC is only accepted from the app window.');
    await expect.poll(() => mainLog).toContain('refused IPC getAppInfo from data:text/html');
  });

  it('refuses IPC from a subframe that has the preload', async () => {
    const reply = await app.evaluate(async ({ BrowserWindow }, preload) => {
      const window = new BrowserWindow({
        show: false,
        webPreferences: { preload, contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInSubFrames: true },
      });
      try {
        await window.loadURL(`data:text/html,${encodeURIComponent('<iframe srcdoc="<p>child</p>"></iframe>')}`);
        const child = window.webContents.mainFrame.frames[0];
        if (child === undefined) return 'no subframe';
        return (await child.executeJavaScript(
          "typeof window.workbench === 'object' ? window.workbench.getAppInfo({}).then((reply) => (reply.ok ? 'accepted' : reply.error.message)) : 'no preload'",
        )) as string;
      } finally {
        window.destroy();
      }
    }, preloadPath);
    expect(reply).toBe('Refused: IPC is only accepted from the app window.');
    await expect.poll(() => mainLog).toContain('refused IPC getAppInfo from about:srcdoc');
  });

  it('parses data in a utility process that can crash alone', async () => {
    const parserPid = () =>
      app.evaluate(({ app: electronApp }) => electronApp.getAppMetrics().find((metric) => metric.name === 'RNN Workbench data parser')?.pid);
    await page.getByRole('tab', { name: 'Data' }).click();
    await page.getByLabel('Data path').fill(sampleData);
    await page.getByRole('button', { name: 'Open data' }).click();
    // SIGSEGV stands in for a native fault in a parser; the window and the main process must carry on.
    let pid: number | undefined;
    await expect.poll(async () => (pid = await parserPid()), { timeout: 30_000, interval: 10 }).toBeDefined();
    process.kill(pid!, 'SIGSEGV');
    await expect.poll(() => page.getByTestId('data-error').textContent(), { timeout: 30_000 }).toContain('The data parser process stopped unexpectedly');
    // A second open parses in a fresh utility process (plain child_process.fork refuses to run inside Electron).
    await page.getByRole('button', { name: /^(Open data|Reopen)$/ }).click();
    await page.getByTestId('data-preview').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('train-count').textContent()).toBe('1,000');
  });

  // The desktop tier's flows (test/desktop/flows.ts) on the real binary; the native dialogs answer once from the script.
  describe('main flows', () => {
    const answer = (method: 'showOpenDialog' | 'showSaveDialog', value: unknown) =>
      app.evaluate(
        ({ dialog }, [name, reply]) => {
          const original = dialog[name];
          (dialog as unknown as Record<string, unknown>)[name] = async () => {
            (dialog as unknown as Record<string, unknown>)[name] = original;
            return reply;
          };
        },
        [method, value] as const,
      );
    const driver = (): DesktopDriver => ({
      page,
      answerOpen: (filePaths) => answer('showOpenDialog', { canceled: filePaths.length === 0, filePaths }),
      answerSave: (filePath) => answer('showSaveDialog', { canceled: filePath === '', filePath }),
    });
    it('builds a model', () => buildModel(driver()));
    it('opens the sample data through the native Open dialog', () => openSampleData(driver()), 120_000);
    it('trains one short epoch with live charts, then stops', () => trainOneEpochAndStop(driver()), 180_000);
    it('saves and reopens the project through the native dialogs', () => saveAndReopenProject(driver(), path.join(userData, 'Desktop flow.json')), 60_000);
    it('exports a run, and a cancelled export reads as a note', () => exportAndCancel(driver(), path.join(userData, 'model.h5')), 180_000);
    it('tries a review', () => tryReview(driver()), 120_000);
    it("opens a user's Keras file through the native Open dialog", () => openKerasModel(driver(), KERAS_LSTM, '328,865'), 180_000);
  });
});

/** A launched packaged app: its output so far, and a promise of its DevTools endpoint (so: it runs as the app). */
interface Launched {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  devTools: Promise<string>;
}

function launch(executable: string, args: string[], env: NodeJS.ProcessEnv = {}): Launched {
  const child = spawn(executable, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const devTools = new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code, signal) => reject(new Error(`exited (${code ?? signal}) before starting as the app.\nstdout: ${stdout}\nstderr: ${stderr}`)));
    child.once('error', reject);
  });
  return { child, stdout: () => stdout, stderr: () => stderr, devTools };
}

/** Waits until the app window shows app://workbench/: the main process has run the app's own code. */
async function waitForAppPage(devToolsUrl: string): Promise<void> {
  const listUrl = new URL('/json/list', devToolsUrl.replace(/^ws:/, 'http:'));
  await expect
    .poll(async () => ((await (await fetch(listUrl)).json()) as { url: string }[]).map((target) => target.url), { timeout: 30_000 })
    .toContainEqual(expect.stringMatching(/^app:\/\/workbench\//));
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill();
  await exited;
}

// Playwright's _electron attaches through the Node inspector (--inspect), which the release fuses turn off, so
// the packaged build is probed with child_process: whatever it is asked, it must start as the app and nothing
// else. NODE_OPTIONS has no runtime probe: packaged apps ignore it even with the fuse on (Electron's docs), so
// its fuse is checked in the binary's fuse wire only.
describe.skipIf(skipReason !== undefined)(`packaged build with fuses${skipReason ? ` — ${skipReason}` : ''}`, () => {
  let outputDir: string;
  let executable: string;
  const profiles: string[] = [];
  const appArgs = () => {
    const profile = tempDir('rnn-workbench-packaged-profile-');
    profiles.push(profile);
    return ['--no-sandbox', '--remote-debugging-port=0', `--user-data-dir=${profile}`];
  };

  beforeAll(() => {
    buildApp();
    outputDir = tempDir('rnn-workbench-packaged-');
    const binary = found.binary!;
    // electron-builder packs the installed Electron instead of downloading one.
    const electronDist = process.platform === 'darwin' ? path.resolve(binary, '../../../..') : path.dirname(binary);
    executable = packApp(electronDist, outputDir);
  }, 600_000);

  afterAll(() => {
    for (const dir of [outputDir, ...profiles]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has the release fuses burnt into the binary', async () => {
    expect(await getCurrentFuseWire(executable)).toMatchObject(RELEASE_FUSES);
  });

  // Controls: the stock, unfused binary does what the probes look for, so their silence below means something.
  it('control: stock Electron runs a script under ELECTRON_RUN_AS_NODE', () => {
    const run = spawnSync(found.binary!, ['-e', "process.stdout.write('node mode ' + process.version)"], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stdout).toMatch(/^node mode v\d+/);
  });

  it('control: stock Electron starts its Node inspector for --inspect', async () => {
    const run = launch(found.binary!, ['.', '--inspect=0', ...appArgs()]);
    try {
      await waitForAppPage(await run.devTools);
      expect(run.stderr()).toMatch(/Debugger listening on ws:\/\//);
    } finally {
      await stop(run.child);
    }
  });

  it('ignores ELECTRON_RUN_AS_NODE: it starts the app instead of running the script', async () => {
    const run = launch(executable, ['-e', "process.stdout.write('node mode ' + process.version)", ...appArgs()], { ELECTRON_RUN_AS_NODE: '1' });
    try {
      await waitForAppPage(await run.devTools);
      expect(run.stdout()).not.toContain('node mode');
    } finally {
      await stop(run.child);
    }
  });

  it('ignores --inspect: no Node inspector while the app runs', async () => {
    // Node prints this line whenever its inspector starts listening; Playwright's _electron waits for it.
    const run = launch(executable, ['--inspect=0', ...appArgs()]);
    try {
      await waitForAppPage(await run.devTools);
      expect(run.stderr()).not.toMatch(/Debugger listening on/);
    } finally {
      await stop(run.child);
    }
  });
});
