/**
 * The Runs panel's insight views in Chromium against `serve`: read-along (tokens, the probability
 * line, the state and carry heatmaps) and the gradient over time of two compared runs.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../src-shared/model/types';
import { createProject } from '../../src-shared/project';
import { NodeTrainingService } from '../../src-main/services/training-service';
import { launchChromium } from '../support/browser';
import { repoRoot, startServe, type ServedApp } from '../support/serve';

const screenshots = path.join(repoRoot, 'test-results/screenshots');
const sample = path.resolve(repoRoot, '../shared/data/aclImdb-sample.tar.gz');
const home = mkdtempSync(path.join(tmpdir(), 'rnn-workbench-insight-'));
let app: ServedApp;
let chromium: Awaited<ReturnType<typeof launchChromium>>;

/** Small runs of SimpleRNN and LSTM on the shared sample (500 reviews of 80 words, 3 epochs), trained before the server starts. */
async function trainRuns(): Promise<void> {
  const service = new NodeTrainingService({ dataDir: home });
  try {
    for (const kind of ['SimpleRNN', 'LSTM']) {
      const layers: LayerSpec[] = [
        { id: 'embedding-1', kind: 'Embedding', options: { input_dim: 2000, output_dim: 8 } },
        { id: 'rnn-1', kind, options: { units: 8 } },
        { id: 'dense-1', kind: 'Dense', options: { units: 1, activation: 'sigmoid' } },
      ];
      const project = { ...createProject(layers), data: { path: sample, options: { maxFeatures: 2000, maxlen: 80 } } };
      const runId = await service.start({ ...project, training: { ...project.training, epochs: 3, batchSize: 50, limit: 500, seed: 2, optimizer: { name: 'adam', learningRate: 0.01 } } });
      expect((await service.whenDone(runId)).status).toBe('done');
    }
  } finally {
    await service.dispose();
  }
}

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  await trainRuns();
  [app, chromium] = await Promise.all([startServe({}, home), launchChromium()]);
}, 300_000);

afterAll(async () => {
  await chromium?.close();
  await app?.stop();
  rmSync(home, { recursive: true, force: true });
});

async function openRuns(): Promise<Page> {
  const page = await chromium.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(app.url);
  await page.getByTestId('app-info').waitFor();
  await page.getByRole('tab', { name: 'Runs' }).click();
  await page.getByTestId('run-row').nth(1).waitFor();
  return page;
}

describe('Runs: read along and gradient over time', () => {
  it('reads a review along with the LSTM: tokens, a probability per token ending at the prediction, state and carry heatmaps', { timeout: 120_000 }, async () => {
    const page = await openRuns();
    await page.getByRole('button', { name: 'LSTM(8)', exact: true }).click();
    await page.locator('#read-along-text').fill('A wonderful film with superb acting, but the qwertyuiop ending was awful and boring.');
    await page.getByRole('button', { name: 'Read along', exact: true }).click();
    await page.getByTestId('read-along-tokens').waitFor();
    const tokens = await page.getByTestId('read-along-tokens').locator('.token').allTextContents();
    expect(tokens.slice(0, 3)).toEqual(['a', 'wonderful', 'film']);
    expect(await page.getByTestId('read-along-unread').textContent()).toMatch(/qwertyuiop\s*\(out of vocabulary\)/);
    await expect.poll(() => page.getByTestId('read-along-line').getAttribute('data-points')).toBe(String(tokens.length + 2));
    expect(await page.getByTestId('read-along-state').getAttribute('data-steps')).toBe(String(tokens.length));
    expect(await page.getByTestId('read-along-state').getAttribute('data-units')).toBe('8');
    expect(await page.getByTestId('read-along-carry').getAttribute('data-units')).toBe('8');
    // The prediction shown is the one "Try a review" gives for the same text.
    await page.locator('#review-text').fill('A wonderful film with superb acting, but the qwertyuiop ending was awful and boring.');
    await page.getByRole('button', { name: 'Predict' }).click();
    await page.getByTestId('prediction-result').waitFor();
    const predicted = Number(await page.getByRole('meter', { name: 'Probability that the review is positive' }).getAttribute('aria-valuenow'));
    const read = Number(/p = ([\d.]+)/.exec((await page.getByTestId('read-along-prediction').textContent())!)![1]);
    expect(Math.abs(read - predicted)).toBeLessThan(1e-3);
    await page.getByRole('region', { name: 'Read along' }).screenshot({ path: path.join(screenshots, 'read-along.png') });
    await page.close();
  });

  it('measures the gradient over time of two compared runs on a log axis', { timeout: 180_000 }, async () => {
    const page = await openRuns();
    await page.getByRole('button', { name: 'SimpleRNN(8)', exact: true }).click();
    await page.getByLabel('Compare LSTM(8)').check();
    await page.getByRole('button', { name: 'Measure 2 runs' }).click();
    await expect.poll(() => page.getByTestId('gradient-summary').count(), { timeout: 150_000 }).toBe(2);
    await expect.poll(() => page.getByTestId('gradient-chart').getAttribute('data-points')).toBe(String(2 * 80));
    const summaries = await page.getByTestId('gradient-summary').allTextContents();
    expect(summaries[0]).toMatch(/SimpleRNN\(8\): simple_rnn.* \(SimpleRNN\), 32 reviews/);
    expect(summaries[1]).toMatch(/LSTM\(8\): lstm.* \(LSTM\), 32 reviews/);
    await page.getByRole('region', { name: 'Gradient over time' }).screenshot({ path: path.join(screenshots, 'gradient-over-time.png') });
    await page.close();
  });
});
