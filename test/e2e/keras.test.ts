import { mkdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { repoRoot, startServe, type ServedApp } from '../support/serve';

const screenshots = path.join(repoRoot, 'test-results/screenshots');
const sarcasm = path.resolve(repoRoot, '../shared/data/keras/keras-2.4.0-bidirectional-gru-sarcasm.h5');
const simpleRnn = path.resolve(repoRoot, '../shared/data/keras/keras-3.13.2-simplernn-imdb.keras');
const sample = path.resolve(repoRoot, '../shared/data/aclImdb-sample.tar.gz');
let app: ServedApp;
let chromium: Awaited<ReturnType<typeof launchChromium>>;

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  [app, chromium] = await Promise.all([startServe(), launchChromium()]);
});

afterAll(async () => {
  await chromium?.close();
  await app?.stop();
});

describe('Open Keras model (web mode)', () => {
  it("opens a real Keras 2 file onto the canvas with Keras' parameter counts, as a run that says what it cannot do", { timeout: 180_000 }, async () => {
    const page = await chromium.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(app.url);
    await page.getByTestId('app-info').waitFor();
    await page.getByRole('button', { name: 'Open Keras…' }).click();
    // One row for the model file; the tokenizer and architecture fields, which most files need neither of, unfold on request.
    await expect.poll(() => page.locator('#keras-tokenizer').isVisible()).toBe(false);
    await page.getByText('A tokenizer, or the architecture of a weights-only file (optional)').click();
    await expect.poll(() => page.locator('#keras-tokenizer').isVisible()).toBe(true);
    await page.locator('#keras-path').fill(sarcasm);
    await page.getByRole('form', { name: 'Open Keras model' }).screenshot({ path: path.join(screenshots, 'keras-open-form.png') });
    await page.getByRole('button', { name: 'Open Keras model', exact: true }).click();

    // The stack lands on the canvas and the summary shows Keras' counts for the file's layers.
    const summary = page.getByTestId('summary-text');
    await summary.waitFor({ state: 'attached', timeout: 120_000 }).catch(async (error: Error) => {
      const problem = await page.getByTestId('runs-error').textContent({ timeout: 1000 }).catch(() => 'none');
      throw new Error(`${error.message}\nRuns panel error: ${problem}\nServer output:\n${app.output()}`);
    });
    await expect.poll(() => summary.textContent(), { timeout: 120_000 }).toContain('Total params: 169,997');
    const text = (await summary.textContent())!;
    expect(text).toContain('bidirectional_5 (Bidirectional)');
    expect(text).toMatch(/dense_12 \(Dense\)\s+\(None, 6\)\s+390/);
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(screenshots, 'keras-open.png') });

    // As a run: no tokenizer came with it, so trying a review says why instead of failing silently.
    await page.getByRole('tab', { name: 'Runs' }).click();
    await page.getByTestId('run-imported').waitFor();
    expect(await page.getByTestId('run-imported').textContent()).toContain('keras-2.4.0-bidirectional-gru-sarcasm.h5');
    expect(await page.getByTestId('predict-why').textContent()).toContain('cannot read typed text');
    await page.screenshot({ path: path.join(screenshots, 'keras-run.png'), fullPage: true });

    // Fine-tuning trains on the open data: without any, the app sends the user to the Data tab.
    await page.getByTestId('fine-tune').click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('Fine-tuning keras-2.4.0-bidirectional-gru-sarcasm.h5 trains it on your IMDb data: open it on the Data tab first.');
    await page.getByLabel('Data path').fill(sample);
    await page.getByRole('button', { name: 'Open data' }).click();
    await page.getByTestId('data-preview').waitFor({ timeout: 60_000 });
    // With data open, the service refuses a model whose ids' words are unknown, and the Train tab says why.
    await page.getByRole('tab', { name: 'Runs' }).click();
    await page.getByRole('button', { name: 'keras-2.4.0-bidirectional-gru-sarcasm.h5', exact: true }).click();
    await page.getByTestId('fine-tune').click();
    await expect.poll(() => page.getByTestId('train-error').textContent(), { timeout: 60_000 }).toContain(
      'keras-2.4.0-bidirectional-gru-sarcasm.h5 cannot be fine-tuned on ' + sample + ': which word each of its ids stands for is unknown',
    );
    // A Keras model opened while reviews are open keeps them as the project's data.
    await page.getByRole('button', { name: 'Open Keras…' }).click();
    await page.locator('#keras-path').fill(sarcasm);
    // Opening the data changed the project: the app asks before replacing it.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Open Keras model', exact: true }).click();
    await expect.poll(() => page.getByTestId('summary-text').textContent(), { timeout: 120_000 }).toContain('Total params: 169,997');
    await page.getByRole('tab', { name: 'Data' }).click();
    expect(await page.getByLabel('Data path').inputValue()).toBe(sample);
    await page.close();
  });

  it('uploads a Keras 3 file from the browser, opens it on the server and deletes the upload', { timeout: 180_000 }, async () => {
    const page = await chromium.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(app.url);
    await page.getByTestId('app-info').waitFor();
    await page.getByRole('button', { name: 'Open Keras…' }).click();
    await page.getByTestId('upload-keras').setInputFiles(simpleRnn);
    await page.getByRole('button', { name: 'Open Keras model', exact: true }).click();

    const summary = page.getByTestId('summary-text');
    await summary.waitFor({ state: 'attached', timeout: 120_000 }).catch(async (error: Error) => {
      const problem = await page.getByTestId('runs-error').textContent({ timeout: 1000 }).catch(() => 'none');
      throw new Error(`${error.message}\nRuns panel error: ${problem}\nServer output:\n${app.output()}`);
    });
    // Embedding(10000, 32) 320,000 + SimpleRNN(32) 2,080 + Dense(16) 528 + Dense(1) 17.
    await expect.poll(() => summary.textContent(), { timeout: 120_000 }).toContain('Total params: 322,625');
    await page.getByRole('tab', { name: 'Runs' }).click();
    // The run names the file as the user chose it, not the server's temporary copy.
    expect(await page.getByTestId('run-imported').textContent()).toContain('Opened from keras-3.13.2-simplernn-imdb.keras (Keras 3');
    expect(await readdir(path.join(app.dataDir, 'uploads'))).toEqual([]);
    await page.close();
  });
});
