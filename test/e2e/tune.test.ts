/**
 * The Tune tab in Chromium against `serve`: a sweep from the open project trains its trials one
 * after another, stops and resumes, fills the sortable table and the overlaid curves, survives a
 * restart of the server, and puts the best trial's stack on the canvas.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { repoRoot, startServe, type ServedApp } from '../support/serve';

const screenshots = path.join(repoRoot, 'test-results/screenshots');
const sample = path.resolve(repoRoot, '../shared/data/aclImdb-sample.tar.gz');
const home = mkdtempSync(path.join(tmpdir(), 'rnn-workbench-tune-'));
let app: ServedApp;
let chromium: Awaited<ReturnType<typeof launchChromium>>;

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  [app, chromium] = await Promise.all([startServe({}, home), launchChromium()]);
});

afterAll(async () => {
  await chromium?.close();
  await app?.stop();
  rmSync(home, { recursive: true, force: true });
});

async function openApp(): Promise<Page> {
  const page = await chromium.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(app.url);
  await page.getByTestId('app-info').waitFor();
  return page;
}

describe('Tune tab', () => {
  it('sweeps the LSTM preset over units, stops, resumes, survives a restart and uses the best trial', { timeout: 400_000 }, async () => {
    let page = await openApp();
    await page.getByLabel('Start from a preset').selectOption('lstm');
    await page.getByRole('tab', { name: 'Data' }).click();
    await page.getByLabel('Data path').fill(sample);
    await page.getByLabel('Vocabulary (max_features)').fill('1000');
    await page.getByLabel('Review length (maxlen)').fill('30');
    await page.getByRole('button', { name: 'Open data' }).click();
    await page.getByTestId('data-preview').waitFor({ timeout: 120_000 });
    await page.getByRole('tab', { name: 'Train' }).click();
    const settings = page.getByRole('form', { name: 'Hyperparameters' });
    await settings.getByLabel('Epochs').fill('1');
    await settings.getByLabel('Batch size').fill('25');
    await settings.getByLabel('Train on first N reviews').fill('100');
    await settings.getByLabel('Seed').fill('1');

    await page.getByRole('tab', { name: 'Tune' }).click();
    await page.getByLabel('Grid').fill('units=4,8;embedding=8');
    await page.getByRole('button', { name: 'Start sweep' }).click();
    await expect.poll(() => page.getByTestId('trial-row').count()).toBe(2);
    // Stopped while its first trial trains; resumed, both trials finish.
    await expect.poll(() => page.locator('[data-testid="trial-row"][data-status="running"]').count(), { timeout: 120_000 }).toBe(1);
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect.poll(() => page.getByTestId('sweep-status').textContent(), { timeout: 60_000 }).toBe('stopped');
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await expect.poll(() => page.getByTestId('sweep-status').textContent(), { timeout: 240_000 }).toBe('done');
    expect(await page.locator('[data-testid="trial-row"][data-status="done"]').count()).toBe(2);
    await expect.poll(() => page.getByTestId('tune-curves').getAttribute('data-points')).toBe('2');

    // Sorted by best val_acc, highest first: the first row is the best (highlighted) trial.
    await page.getByRole('button', { name: 'best val_acc' }).click();
    const accuracies = (await page.locator('[data-testid="trial-row"] td:nth-child(4)').allTextContents()).map((text) => Number.parseFloat(text));
    expect(accuracies).toEqual([...accuracies].sort((a, b) => b - a));
    const bestUnits = await page.locator('[data-testid="trial-row"]').first().locator('td').nth(1).textContent();
    await page.getByRole('region', { name: 'Sweep' }).screenshot({ path: path.join(screenshots, 'tune.png') });
    await page.close();

    // A restart of the server finds the sweep as it was.
    await app.stop();
    app = await startServe({}, home);
    page = await openApp();
    await page.getByRole('tab', { name: 'Tune' }).click();
    await expect.poll(() => page.getByTestId('sweep-status').textContent()).toBe('done');
    expect(await page.getByTestId('trial-row').count()).toBe(2);
    await page.getByTestId('use-best').click();
    await expect.poll(() => page.getByRole('tab', { name: 'Model' }).getAttribute('aria-selected')).toBe('true');
    await page.getByRole('tab', { name: 'Summary' }).click();
    expect(await page.getByTestId('summary-text').textContent()).toMatch(new RegExp(`lstm \\(LSTM\\)\\s+\\(None, ${bestUnits}\\)`));
    await page.close();
  });
});
