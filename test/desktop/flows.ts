// The desktop app's main flows, as a user does them through the window. Written once, run by the desktop tier
// (built bundles on the electron test host, test/desktop/desktop.test.ts) and by the Electron E2E where a binary
// exists (test/e2e/electron.test.ts); each host scripts its own native dialogs.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { repoRoot } from '../support/serve';

export const SAMPLE_DATA = path.resolve(repoRoot, '../shared/data/aclImdb-sample.tar.gz');

/** What a flow needs of the host it runs on. */
export interface DesktopDriver {
  page: Page;
  /** The next native Open dialog returns these paths (empty: the user cancels). */
  answerOpen(filePaths: string[]): Promise<void>;
  /** The next native Save dialog returns this path. */
  answerSave(filePath: string): Promise<void>;
}

/** From a new project's empty canvas to the book's LSTM: Keras' counts in the summary. */
export async function buildModel({ page }: DesktopDriver): Promise<void> {
  await page.getByRole('button', { name: 'New', exact: true }).click();
  await page.getByRole('tab', { name: 'Model' }).click();
  await page.getByRole('button', { name: 'LSTM (IMDb)' }).click();
  await expect.poll(() => page.getByTestId('total-params').textContent()).toBe('328,353');
}

/** Data tab → File… (the native dialog) → Open data, at a short maxlen so the flows train quickly. */
export async function openSampleData(driver: DesktopDriver): Promise<void> {
  const { page } = driver;
  await page.getByRole('tab', { name: 'Data' }).click();
  await driver.answerOpen([SAMPLE_DATA]);
  await page.getByRole('button', { name: 'File…' }).click();
  await expect.poll(() => page.getByLabel('Data path').inputValue()).toBe(SAMPLE_DATA);
  await page.getByLabel('Review length (maxlen)').fill('80');
  await page.getByRole('button', { name: 'Open data' }).click();
  await page.getByTestId('data-preview').or(page.getByTestId('data-error')).waitFor({ timeout: 60_000 });
  expect(await page.getByTestId('data-error').allTextContents()).toEqual([]);
  expect(await page.getByTestId('train-count').textContent()).toBe('1,000');
}

/** Train tab: a short first epoch with the charts filling in, then Stop during the second. */
export async function trainOneEpochAndStop({ page }: DesktopDriver): Promise<void> {
  await page.getByRole('tab', { name: 'Train' }).click();
  await page.getByLabel('Epochs').fill('30');
  await page.getByLabel('Train on first N reviews').fill('256');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => page.getByTestId('loss-chart').getAttribute('data-points'), { timeout: 60_000 }).not.toBe('0');
  await expect.poll(() => page.getByTestId('epochs-done').textContent(), { timeout: 60_000 }).toMatch(/^[1-9]\d*\/30$/);
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toMatch(/^Stopped/);
}

/** Save through the native Save dialog, start anew, and open it again through the Open dialog. */
export async function saveAndReopenProject(driver: DesktopDriver, file: string): Promise<void> {
  const { page } = driver;
  await page.getByLabel('Project name').fill('Desktop flow');
  await driver.answerSave(file);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect.poll(() => existsSync(file)).toBe(true);
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { layers: { kind: string }[]; data: { path: string } };
  expect(saved.layers.map((layer) => layer.kind)).toEqual(['Embedding', 'LSTM', 'Dense']);
  expect(saved.data.path).toBe(SAMPLE_DATA);

  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'New' }).click();
  await expect.poll(() => page.getByTestId('total-params').textContent()).toBe('0');
  await driver.answerOpen([file]);
  await page.getByRole('button', { name: 'Open…' }).click();
  await expect.poll(() => page.getByTestId('total-params').textContent()).toBe('328,353');
  expect(await page.getByLabel('Project name').inputValue()).toBe('Desktop flow');
}

/** Runs tab: evaluate the stopped run, and export while evaluating; the export waits its turn and is cancelled. */
export async function exportAndCancel({ page }: DesktopDriver, out: string): Promise<void> {
  await page.getByRole('tab', { name: 'Runs' }).click();
  await page.locator('[data-testid="run-row"] button.link').first().click();
  await page.getByLabel('Format').selectOption('keras-h5');
  await page.getByLabel('Path').fill(out);
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await page.getByRole('button', { name: 'Export' }).click();
  await page.getByRole('button', { name: 'Cancel' }).click();
  // The cancelled code crossed the preload as data: a note, not an error.
  await expect.poll(() => page.getByTestId('export-cancelled').textContent(), { timeout: 60_000 }).toBe('Export cancelled; nothing was written.');
  expect(await page.getByTestId('runs-error').count()).toBe(0);
  expect(existsSync(out)).toBe(false);
  await page.getByTestId('confusion').waitFor({ timeout: 60_000 });

  await page.getByRole('button', { name: 'Export' }).click();
  await expect.poll(() => page.getByTestId('export-result').textContent(), { timeout: 60_000 }).toContain(out);
  expect(existsSync(out)).toBe(true);
}

/** Runs tab: try a review on the selected run. */
export async function tryReview({ page }: DesktopDriver): Promise<void> {
  await page.getByLabel('Try a review').fill('A wonderful, moving film with a superb cast.');
  await page.getByRole('button', { name: 'Predict' }).click();
  await expect.poll(() => page.getByTestId('prediction').textContent(), { timeout: 60_000 }).toMatch(/^(positive|negative) · \d+\.\d% likely positive$/);
}

export const KERAS_LSTM = path.resolve(repoRoot, '../shared/data/keras/keras-3.13.2-lstm-imdb.h5');

/** Open Keras… → Choose… (the native dialog) → Open Keras model: the file's stack on the canvas with Keras' count. */
export async function openKerasModel(driver: DesktopDriver, file: string, totalParams: string): Promise<void> {
  const { page } = driver;
  await page.getByRole('button', { name: 'Open Keras…' }).click();
  await driver.answerOpen([file]);
  await page.getByRole('form', { name: 'Open Keras model' }).getByRole('button', { name: 'Choose…' }).first().click();
  await expect.poll(() => page.locator('#keras-path').inputValue()).toBe(file);
  await page.getByRole('button', { name: 'Open Keras model', exact: true }).click();
  await expect.poll(() => page.getByTestId('summary-text').textContent(), { timeout: 120_000 }).toContain(`Total params: ${totalParams}`);
  await page.getByRole('tab', { name: 'Runs' }).click();
  expect(await page.getByTestId('run-imported').textContent()).toContain(path.basename(file));
}
