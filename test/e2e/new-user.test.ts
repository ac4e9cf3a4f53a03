// Issue L: what a new user trips over, walked in Chromium against `serve` with real drags and keys.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { repoRoot, startServe, type ServedApp } from '../support/serve';

const screenshots = path.join(repoRoot, 'test-results/screenshots');
const sampleData = path.resolve(repoRoot, '../shared/data/aclImdb-sample.tar.gz');
const exportsDir = mkdtempSync(path.join(tmpdir(), 'rnn-workbench-new-user-'));
let app: ServedApp;
let chromium: Awaited<ReturnType<typeof launchChromium>>;

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  [app, chromium] = await Promise.all([startServe(), launchChromium()]);
});

afterAll(async () => {
  await chromium?.close();
  await app?.stop();
  rmSync(exportsDir, { recursive: true, force: true });
});

/** A page on a fresh start: no draft, and the guided start dismissed unless `guide`. */
async function openApp(options: { guide?: boolean; width?: number; height?: number } = {}): Promise<Page> {
  // A page an earlier (failed) test left open would autosave its draft over the fresh start.
  for (const context of chromium.browser.contexts()) for (const open of context.pages()) await open.close();
  rmSync(path.join(app.dataDir, 'draft.json'), { force: true });
  rmSync(path.join(app.dataDir, 'settings.json'), { force: true });
  const page = await chromium.browser.newPage({ viewport: { width: options.width ?? 1280, height: options.height ?? 800 } });
  await page.goto(app.url);
  await page.getByTestId('app-info').waitFor();
  const guide = page.getByTestId('guided-start');
  await guide.waitFor();
  if (options.guide !== true) await guide.getByRole('button', { name: /Don't show/ }).click();
  return page;
}

const shot = async (page: Page, name: string) => {
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(screenshots, `L-${name}.png`) });
};
const cards = (page: Page) => page.getByTestId('layer-card');
const kinds = (page: Page) => cards(page).evaluateAll((elements) => elements.map((element) => element.getAttribute('data-kind')));
const names = (page: Page) => cards(page).evaluateAll((elements) => elements.map((element) => element.querySelector('.name')?.textContent));
const stack = (page: Page) => page.getByRole('list', { name: /Model layers/ });

/** Where the placeholder stands among the stack's slots, or -1 while there is none. */
const placeholderIndex = (page: Page) => stack(page).evaluate((list) => [...list.children].findIndex((child) => child.hasAttribute('data-is-dnd-shadow-item-internal')));

/**
 * Drags with real mouse events, in small steps as svelte-dnd-action needs, and releases at `target`
 * once the canvas shows a placeholder; returns where the placeholder stood at release.
 */
async function drag(page: Page, source: Locator, target: { x: number; y: number }): Promise<number> {
  // A palette entry below the fold is scrolled to first, as a user would.
  await source.scrollIntoViewIfNeeded();
  const box = (await source.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 8, box.y + box.height / 2 + 8, { steps: 4 });
  await page.waitForTimeout(400);
  await page.mouse.move(target.x, target.y, { steps: 20 });
  for (let wiggle = 0; (await placeholderIndex(page)) < 0 && wiggle < 40; wiggle++) {
    // The library only re-decides after the pointer moved more than 10 px; stay at the same height.
    await page.mouse.move(target.x + (wiggle % 2 === 0 ? 15 : 0), target.y, { steps: 2 });
    await page.waitForTimeout(100);
  }
  await page.waitForTimeout(300);
  const at = await placeholderIndex(page);
  await page.mouse.up();
  return at;
}

async function belowStack(page: Page): Promise<{ x: number; y: number }> {
  const box = (await stack(page).boundingBox())!;
  return { x: box.x + box.width / 2, y: box.y + box.height - 20 };
}

/** A point over card `index`, `fraction` of the way down it, once the cards have stopped sliding (an undo animates them). */
async function overCard(page: Page, index: number, fraction: number): Promise<{ x: number; y: number }> {
  const card = cards(page).nth(index);
  let box = (await card.boundingBox())!;
  for (let tries = 0; tries < 20; tries++) {
    await page.waitForTimeout(100);
    const now = (await card.boundingBox())!;
    if (now.y === box.y && now.height === box.height) break;
    box = now;
  }
  return { x: box.x + box.width / 2, y: box.y + box.height * fraction };
}

async function buildFromPalette(page: Page): Promise<void> {
  for (const entry of ['Embedding', 'LSTM', 'Output']) {
    const before = await cards(page).count();
    await drag(page, page.getByTestId(`palette-${entry}`), await belowStack(page));
    await expect.poll(() => cards(page).count()).toBe(before + 1);
  }
}

describe('a new user in Chromium (issue L)', () => {
  it('builds a valid first model from the palette; drops follow the pointer; names stay; fixes keep the layers', async () => {
    const page = await openApp();
    // Before any layer: no "?" and no bare jargon.
    expect(await page.getByTestId('model-input').textContent()).toBe('—');
    expect(await page.getByTestId('io-input').textContent()).not.toContain('?');
    expect(await page.getByTestId('canvas-legend').textContent()).toMatch(/Embedding, sets it/);
    expect(await page.getByTestId('empty-state').textContent()).toContain('Output · Dense(1, sigmoid)');

    // 1. Embedding → LSTM → Output, dragged as the empty canvas says: valid at once, Keras' counts.
    await buildFromPalette(page);
    expect(await kinds(page)).toEqual(['Embedding', 'LSTM', 'Dense']);
    await expect.poll(() => page.getByTestId('layer-params').allTextContents()).toEqual(['320,000', '8,320', '33']);
    expect(await page.getByTestId('layer-issue').count()).toBe(0);
    expect(await page.getByTestId('total-params').textContent()).toBe('328,353');
    // 8. Shapes and MACs explained in a line; the estimate says what it covers.
    expect(await page.getByTestId('canvas-legend').textContent()).toMatch(/\(batch, steps, features\).*None = any number of reviews.*MACs = multiply-adds/);
    await expect.poll(() => page.getByTestId('epoch-assumes').textContent(), { timeout: 60_000 }).toMatch(/^for IMDb's 20,000 \+ 5,000 validation reviews; no data is open yet$/);
    await shot(page, '01-first-model');

    // 3. A drop over the lower quarter of the LSTM card lands below it, where the placeholder stood.
    expect(await drag(page, page.getByTestId('palette-GRU'), await overCard(page, 1, 0.8))).toBe(2);
    await expect.poll(() => kinds(page)).toEqual(['Embedding', 'LSTM', 'GRU', 'Dense']);
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => kinds(page)).toEqual(['Embedding', 'LSTM', 'Dense']);
    // …and over its upper quarter, above it.
    expect(await drag(page, page.getByTestId('palette-GRU'), await overCard(page, 1, 0.2))).toBe(1);
    await expect.poll(() => kinds(page)).toEqual(['Embedding', 'GRU', 'LSTM', 'Dense']);
    await page.getByRole('button', { name: 'Undo' }).click();

    // 4. An LSTM dropped above the existing one: the existing keeps `lstm`, the new one is `lstm_1`.
    expect(await drag(page, page.getByTestId('palette-LSTM'), await overCard(page, 1, 0.25))).toBe(1);
    await expect.poll(() => kinds(page)).toEqual(['Embedding', 'LSTM', 'LSTM', 'Dense']);
    expect(await names(page)).toEqual(['embedding', 'lstm_1', 'lstm', 'dense']);
    await expect.poll(() => cards(page).nth(2).getByTestId('layer-issue').textContent()).toContain('turn on return_sequences on lstm_1 above');
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => kinds(page)).toEqual(['Embedding', 'LSTM', 'Dense']);

    // 2. A GRU dropped below the output Dense: the fix moves it above, and keeps every layer.
    expect(await drag(page, page.getByTestId('palette-GRU'), await overCard(page, 2, 0.8))).toBe(3);
    await expect.poll(() => kinds(page)).toEqual(['Embedding', 'LSTM', 'Dense', 'GRU']);
    const moveGru = cards(page).nth(3).getByRole('button', { name: 'Move gru above dense and turn on return_sequences on lstm' });
    await moveGru.waitFor();
    await shot(page, '02-fix-move-gru');
    await moveGru.click();
    await expect.poll(() => kinds(page)).toEqual(['Embedding', 'LSTM', 'GRU', 'Dense']);
    expect(await page.getByTestId('layer-issue').count()).toBe(0);
    expect(await names(page)).toEqual(['embedding', 'lstm', 'gru', 'dense']);
    await page.getByRole('button', { name: 'Undo' }).click();
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => kinds(page)).toEqual(['Embedding', 'LSTM', 'Dense']);

    // A Dense moved above the LSTM by keyboard: the fix moves it back rather than adding a second one.
    await page.locator('[data-item-id]').nth(2).focus();
    await page.keyboard.press('Alt+ArrowUp');
    await expect.poll(() => kinds(page)).toEqual(['Embedding', 'Dense', 'LSTM']);
    const moveDense = cards(page).nth(2).getByRole('button', { name: 'Move dense to the end' });
    await moveDense.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => kinds(page)).toEqual(['Embedding', 'LSTM', 'Dense']);
    expect(await page.getByTestId('layer-issue').count()).toBe(0);
    await page.close();
  }, 240_000);

  it('keeps the palette whole at 1440 and 1024 px and explains the jargon on the cards', async () => {
    for (const width of [1440, 1024]) {
      const page = await openApp({ width, height: 800 });
      for (const item of await page.locator('.palette-item').all()) {
        await item.scrollIntoViewIfNeeded();
        const [itemBox, addBox] = [await item.boundingBox(), await item.locator('button.add').boundingBox()];
        expect(addBox!.x + addBox!.width, `${await item.getAttribute('aria-label')} at ${width} px`).toBeLessThanOrEqual(itemBox!.x + itemBox!.width);
        // Descriptions are shown whole, never cut mid-word.
        expect(await item.locator('.description').evaluate((element) => element.scrollHeight <= element.clientHeight + 1)).toBe(true);
      }
      await page.getByTestId('palette-GlobalAveragePooling1D').scrollIntoViewIfNeeded();
      await shot(page, `03-palette-${width}`);
      await page.close();
    }
    const page = await openApp();
    await page.getByRole('button', { name: 'LSTM (IMDb)' }).click();
    await page.locator('[data-item-id]').first().focus();
    await page.getByTestId('inspector').getByLabel('mask_zero', { exact: true }).check();
    await page.locator('[data-item-id]').nth(1).focus();
    await page.getByTestId('inspector').getByLabel('return_sequences', { exact: true }).check();
    expect(await cards(page).nth(0).textContent()).toContain('mask_zero (padding ignored)');
    expect(await cards(page).nth(1).textContent()).toContain('return_sequences (an output per word)');
    await page.close();
  }, 120_000);

  it('trains with honest progress, says when a model is at chance, and reports exports beside Export', async () => {
    const page = await openApp();
    await page.getByRole('button', { name: 'LSTM (IMDb)' }).click();
    await page.getByRole('tab', { name: 'Data' }).click();
    await page.getByLabel('Data path').fill(sampleData);
    await page.getByLabel('Review length (maxlen)').fill('50');
    await page.getByRole('button', { name: 'Open data' }).click();
    await page.getByTestId('data-preview').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByRole('tab', { name: 'Model' }).click().then(() => page.getByTestId('epoch-assumes').textContent()), { timeout: 60_000 }).toMatch(/^for your 800 \+ 200 validation reviews$/);

    await page.getByRole('tab', { name: 'Train' }).click();
    const settings = page.getByRole('form', { name: 'Hyperparameters' });
    await settings.getByLabel('Epochs').fill('1');
    await settings.getByLabel('Batch size').fill('32');
    await settings.getByLabel('Train on first N reviews').fill('128');
    await settings.getByLabel('Seed').fill('3');
    // Every text the progress line shows during the run, recorded by the page itself.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      const line = document.querySelector('[data-testid="train-progress"]')!;
      new MutationObserver(() => seen.push(line.textContent!.trim())).observe(line, { subtree: true, childList: true, characterData: true });
    });
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await page.getByTestId('run-status').filter({ hasText: /^Epoch/ }).waitFor({ timeout: 90_000 });
    await shot(page, '04-training');
    // The bar spans the status card.
    const [bar, card] = [await page.getByRole('progressbar', { name: 'Epoch progress' }).boundingBox(), await page.getByRole('region', { name: 'Run status' }).boundingBox()];
    expect(bar!.width).toBeGreaterThan(card!.width * 0.9);
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 90_000 }).toBe('Finished');
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen.filter((text) => text !== ''));
    expect(seen.length).toBeGreaterThan(0);
    for (const text of seen) expect(text).toMatch(/^(starting…|batch \d+\/\d+ · [1-9][\d,]* reviews\/s · ETA .+)/);
    // The charts take the height under the status card.
    const [charts, panel] = [await page.getByRole('region', { name: 'Training charts' }).boundingBox(), await page.getByRole('tabpanel', { name: 'Train' }).boundingBox()];
    expect(panel!.y + panel!.height - (charts!.y + charts!.height)).toBeLessThan(40);
    await shot(page, '05-trained');

    await page.getByRole('tab', { name: 'Runs' }).click();
    // The compare column has a header (the list loads when the tab opens).
    await page.getByTestId('run-row').first().waitFor();
    expect(await page.getByRole('columnheader', { name: 'Compare' }).count()).toBe(1);
    const valAcc = Number((await page.getByTestId('run-row').first().locator('td.num').nth(1).textContent())!.replace('%', '')) / 100;
    await page.getByRole('button', { name: 'Predict' }).click();
    const meter = page.getByRole('meter', { name: 'Probability that the review is positive' });
    await meter.waitFor({ timeout: 30_000 });
    const p = Number(await meter.getAttribute('aria-valuenow'));
    expect(await page.getByTestId('prediction').textContent()).toMatch(new RegExp(`^(positive|negative) · ${(p * 100).toFixed(1)}% likely positive$`));
    // 128 reviews with split 0.2 leave 25 for validation: better than chance needs over 50% + 2·√(0.25/25) = 70%.
    await expect.poll(() => page.getByTestId('chance-warning').count(), { message: `val acc ${valAcc}` }).toBe(valAcc > 0.7 ? 0 : 1);

    const exportForm = page.getByRole('form', { name: 'Export' });
    const out = path.join(exportsDir, 'first');
    await exportForm.getByLabel('Path', { exact: true }).fill(out);
    await exportForm.getByRole('button', { name: 'Export', exact: true }).click();
    await expect.poll(() => exportForm.getByTestId('export-result').textContent(), { timeout: 60_000 }).toContain(out);
    // The same path again: the error sits in the Export form, in the app's words, and replaces the result.
    await exportForm.getByRole('button', { name: 'Export', exact: true }).click();
    const error = exportForm.getByTestId('export-error');
    await expect.poll(() => error.textContent(), { timeout: 60_000 }).toBe(`${out} already exists. Choose another path, or tick “Replace if it exists” to replace it.`);
    expect(await exportForm.getByTestId('export-result').count()).toBe(0);
    expect(await page.getByTestId('runs-error').count()).toBe(0);
    await shot(page, '06-export-error');
    // The next attempt clears it.
    await exportForm.getByLabel('Replace if it exists').check();
    await exportForm.getByRole('button', { name: 'Export', exact: true }).click();
    await expect.poll(() => exportForm.getByTestId('export-result').textContent(), { timeout: 60_000 }).toContain(out);
    expect(await error.count()).toBe(0);
    expect(existsSync(path.join(out, 'model.json'))).toBe(true);
    await page.close();
  }, 240_000);

  it('switches the theme and keeps it across a reload; the guided start goes for good when dismissed', async () => {
    const page = await openApp({ guide: true });
    const guide = page.getByTestId('guided-start');
    await shot(page, '07-guided-start');
    await guide.getByRole('button', { name: 'LSTM' }).click();
    await expect.poll(() => kinds(page)).toEqual(['Embedding', 'LSTM', 'Dense']);
    expect(await guide.getByRole('listitem').nth(1).getAttribute('class')).toContain('done');
    // Train waits for data, and says so.
    expect(await guide.getByRole('button', { name: 'Start training' }).isDisabled()).toBe(true);
    expect(await guide.textContent()).toContain('open data first');
    await guide.getByRole('button', { name: 'Open IMDb data…' }).click();
    await page.getByRole('dialog', { name: 'Choose data on the server' }).waitFor();
    await page.keyboard.press('Escape');

    await page.getByLabel('Theme').selectOption('dark');
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(await background()).toBe('rgb(20, 22, 27)');
    await guide.getByRole('button', { name: /Don't show/ }).click();
    await expect.poll(() => guide.count()).toBe(0);
    await expect.poll(() => JSON.parse(readFileSync(path.join(app.dataDir, 'settings.json'), 'utf8'))).toEqual({ theme: 'dark', guideDismissed: true });

    // The page reloads (the unsaved model is confirmed away): dark again, no guide.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.reload();
    await page.getByTestId('app-info').waitFor();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(await page.getByLabel('Theme').inputValue()).toBe('dark');
    await page.getByRole('tab', { name: 'Train' }).click();
    expect(await guide.count()).toBe(0);
    await shot(page, '08-dark-after-reload');
    await page.getByLabel('Theme').selectOption('light');
    await expect.poll(() => background()).toBe('rgb(244, 245, 247)');
    await page.close();
  }, 120_000);
});
