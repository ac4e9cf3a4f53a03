import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { launchChromium } from '../support/browser';
import { parserPids } from '../support/processes';
import { repoRoot, startServe, type ServedApp } from '../support/serve';

let app: ServedApp;
let chromium: Awaited<ReturnType<typeof launchChromium>>;

beforeAll(async () => {
  app = await startServe();
  chromium = await launchChromium();
});

afterAll(async () => {
  await chromium?.close();
  await app?.stop();
});

const SAMPLE = path.resolve(repoRoot, '../shared/data/aclImdb-sample.tar.gz');

/** A raw HTTP GET with exactly the headers given, so tests can forge Host and Origin as a hostile page would. */
function get(path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: app.port, path, headers, setHost: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens the API socket with the given URL and headers; resolves 'open' or the refusal status. */
function openSocket(url: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`));
    ws.on('error', (error) => resolve(`error ${error.message}`));
  });
}

describe('web mode (npm run serve)', () => {
  it('prints a tokenized loopback URL with at least 128 random bits', () => {
    expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
  });

  it('renders the app shell in Chromium and round-trips a request over the API', async () => {
    const page = await chromium.browser.newPage();
    await page.goto(app.url);
    await expect.poll(() => page.getByTestId('app-info').textContent()).toMatch(/v\d+\.\d+\.\d+ · web/);
    await page.close();
  });

  it('refuses a missing or wrong token on the page and on the API socket', async () => {
    const host = `127.0.0.1:${app.port}`;
    expect((await get('/', { Host: host })).status).toBe(401);
    expect((await get(`/?token=${'0'.repeat(64)}`, { Host: host })).status).toBe(401);
    expect((await get('/index.html', { Host: host })).status).toBe(401);
    expect(await openSocket(`ws://${host}/api`, { Origin: app.origin })).toBe('refused 401');
    expect(await openSocket(`ws://${host}/api?token=wrong`, { Origin: app.origin })).toBe('refused 401');
    expect(await openSocket(`ws://${host}/api?token=${app.token}`, { Origin: app.origin })).toBe('open');
  });

  it('refuses a foreign Host or Origin even with the right token (DNS rebinding)', async () => {
    const withToken = `/?token=${app.token}`;
    expect((await get(withToken, { Host: `evil.example:${app.port}` })).status).toBe(403);
    expect((await get(withToken, { Host: '' })).status).toBe(403);
    expect((await get(withToken, { Host: `127.0.0.1:${app.port}`, Origin: 'http://evil.example' })).status).toBe(403);
    const api = `ws://127.0.0.1:${app.port}/api?token=${app.token}`;
    expect(await openSocket(api, { Origin: 'http://evil.example' })).toBe('refused 403');
    expect(await openSocket(api, { Origin: 'http://1.2.3.4' })).toBe('refused 403');
    expect(await openSocket(api, { Origin: app.origin, Host: `evil.example:${app.port}` })).toBe('refused 403');
  });

  it('sends no permissive CORS header', async () => {
    const page = await get(`/?token=${app.token}`, { Host: `127.0.0.1:${app.port}` });
    expect(page.status).toBe(200);
    expect(page.headers['access-control-allow-origin']).toBeUndefined();
    expect(String(page.headers['content-security-policy'])).toContain("default-src 'self'");
  });

  it('answers an invalid API request with a typed error and keeps serving', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${app.port}/api?token=${app.token}`, { headers: { Origin: app.origin } });
    await new Promise((resolve) => ws.once('open', resolve));
    const replies: unknown[] = [];
    ws.on('message', (data) => replies.push(JSON.parse(data.toString())));
    ws.send('not json');
    ws.send(JSON.stringify({ id: 1, method: 'noSuchMethod', params: {} }));
    ws.send(JSON.stringify({ id: 2, method: 'getAppInfo', params: { unexpected: true } }));
    ws.send(JSON.stringify({ id: 3, method: 'getAppInfo', params: {} }));
    await expect.poll(() => replies.length).toBe(4);
    ws.close();
    expect(replies).toContainEqual({ kind: 'reply', id: null, reply: { ok: false, error: expect.objectContaining({ code: 'invalid_request' }) } });
    expect(replies).toContainEqual({ kind: 'reply', id: 1, reply: { ok: false, error: expect.objectContaining({ code: 'unknown_method' }) } });
    expect(replies).toContainEqual({ kind: 'reply', id: 2, reply: { ok: false, error: expect.objectContaining({ code: 'invalid_request' }) } });
    expect(replies).toContainEqual({ kind: 'reply', id: 3, reply: { ok: true, value: expect.objectContaining({ name: 'RNN Workbench', host: 'web' }) } });
  });

  it('shows a crashed data parser as an error in the Data panel and keeps working', async () => {
    const page = await chromium.browser.newPage();
    await page.goto(app.url);
    await page.getByRole('tab', { name: 'Data' }).click();
    await page.getByLabel('Data path').fill(SAMPLE);
    await page.getByRole('button', { name: 'Open data' }).click();
    // SIGSEGV, sent to the parser process while it reads, stands in for a native fault.
    let parser: number | undefined;
    await expect.poll(() => (parser = parserPids(app.pid)[0]), { timeout: 30_000, interval: 10 }).toBeDefined();
    process.kill(parser!, 'SIGSEGV');
    await expect.poll(() => page.getByTestId('data-error').textContent(), { timeout: 30_000 }).toContain('The data parser process stopped unexpectedly (SIGSEGV)');
    await page.screenshot({ path: 'test-results/screenshots/web-parser-crashed.png' });
    expect(await page.getByTestId('status-data').textContent()).toBe(`Data: ${SAMPLE} (could not be opened; see the Data tab)`);
    await page.getByRole('button', { name: /^(Open data|Reopen)$/ }).click();
    await page.getByTestId('data-preview').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('data-error').count()).toBe(0);
    expect(await page.getByTestId('status-data').textContent()).toBe('Data: 1,000 train / 500 test reviews');
    await page.screenshot({ path: 'test-results/screenshots/web-parser-recovered.png' });
    await page.close();
    // Its own budget: the three waits above may take 30 s each on a loaded machine (one run here timed out at 60 s).
  }, 120_000);

  it('shows why a diverged run failed, and that it has nothing to evaluate', async () => {
    // A real failed run, trained by the CLI into the server's data folder.
    const cli = spawnSync(process.execPath, [path.join(repoRoot, 'bin/rnn-workbench.mjs'), 'train', '--data', SAMPLE, '--model', 'lstm', '--epochs', '1', '--maxlen', '20', '--lr', '1e6'], {
      env: { ...process.env, RNN_WORKBENCH_HOME: app.dataDir },
      encoding: 'utf8',
    });
    expect(cli.stderr).toContain('Training diverged');
    const page = await chromium.browser.newPage();
    await page.goto(app.url);
    await page.getByRole('tab', { name: 'Runs' }).click();
    await page.locator('[data-testid="run-row"][data-status="failed"] button.link').click();
    const message = page.getByTestId('run-message');
    await expect.poll(() => message.textContent()).toMatch(/^Training diverged at epoch 1, batch 2: .* Lower the learning rate \(1000000\)/);
    expect(await message.getAttribute('class')).toContain('error');
    expect(await page.getByTestId('run-untrained').textContent()).toBe('No epoch finished in this run, so there is nothing to evaluate, try or export.');
    expect(await page.getByRole('button', { name: 'Evaluate' }).isDisabled()).toBe(true);
    await page.close();
  });

  it('listens on loopback only', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((address) => address !== undefined && address.family === 'IPv4' && !address.internal)
      .map((address) => address!.address);
    for (const address of external) {
      const outcome = await new Promise<string>((resolve) => {
        const socket = connect({ host: address, port: app.port });
        socket.once('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      });
      expect(outcome, `port ${app.port} on ${address}`).toBe('ECONNREFUSED');
    }
  });
});
