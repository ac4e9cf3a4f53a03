import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fusedStatus } from '../../src-main/engine/fused/native';
import { launchChromium } from '../support/browser';
import { repoRoot, startServe, type ServedApp } from '../support/serve';

const screenshots = path.join(repoRoot, 'test-results/screenshots');
const sampleData = path.resolve(repoRoot, '../shared/data/aclImdb-sample.tar.gz');
const exportsDir = mkdtempSync(path.join(tmpdir(), 'rnn-workbench-exports-'));
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

/** Forgets the draft an earlier test's page autosaved on the server, which a new page would offer. */
function forgetDraft(): void {
  rmSync(path.join(app.dataDir, 'draft.json'), { force: true });
}

/** The layer kinds of the draft the server holds, or null while there is none. */
function draftKinds(): string[] | null {
  try {
    return (JSON.parse(readFileSync(path.join(app.dataDir, 'draft.json'), 'utf8')) as { project: { layers: { kind: string }[] } }).project.layers.map((layer) => layer.kind);
  } catch {
    return null;
  }
}

async function openApp(): Promise<Page> {
  forgetDraft();
  const page = await chromium.browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(app.url);
  await page.getByTestId('app-info').waitFor();
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  // Let reorder animations settle so the picture shows what the user sees at rest.
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(screenshots, `${name}.png`) });
}

/**
 * Drags with real mouse events, in small steps, as svelte-dnd-action needs to see the pointer travel.
 * The library places the drop by the dragged element's centre, so the grip is the source's centre.
 */
async function drag(page: Page, source: Locator, target: { x: number; y: number }): Promise<void> {
  // A palette entry below the fold is scrolled to first, as a user would.
  await source.scrollIntoViewIfNeeded();
  const box = (await source.boundingBox())!;
  const start = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(start.x + 8, start.y + 8, { steps: 4 });
  await page.waitForTimeout(400);
  await page.mouse.move(target.x, target.y, { steps: 20 });
  // The library checks where the dragged element is on a timer; drop once the canvas shows where it lands.
  const placeholder = page.getByRole('list', { name: /Model layers/ }).locator('[data-is-dnd-shadow-item-internal]');
  for (let wiggle = 0; (await placeholder.count()) === 0 && wiggle < 40; wiggle++) {
    // The library only re-decides after the element moved more than 10 px.
    await page.mouse.move(target.x + (wiggle % 2 === 0 ? 15 : 0), target.y, { steps: 2 });
    await page.waitForTimeout(100);
  }
  await page.waitForTimeout(250);
  await page.mouse.up();
}

/** A point just below the last card of the stack (or inside the empty stack). */
async function belowStack(page: Page): Promise<{ x: number; y: number }> {
  const stack = (await page.getByRole('list', { name: /Model layers/ }).boundingBox())!;
  return { x: stack.x + stack.width / 2, y: stack.y + stack.height - 20 };
}

const cards = (page: Page) => page.getByTestId('layer-card');
const card = (page: Page, index: number) => cards(page).nth(index);

async function setOption(page: Page, index: number, option: string, value: string): Promise<void> {
  await card(page, index).getByRole('button', { pressed: false }).or(card(page, index).getByRole('button', { pressed: true })).first().click();
  const field = page.getByTestId('inspector').getByLabel(option, { exact: true });
  if ((await field.evaluate((element) => element.tagName)) === 'SELECT') await field.selectOption(value);
  else await field.fill(value);
}

describe('builder (web mode, Chromium)', () => {
  it('builds the LSTM model by dragging from the palette, edits it, breaks it and fixes it', async () => {
    const page = await openApp();
    await expect.poll(() => page.getByTestId('empty-state').isVisible()).toBe(true);
    await shot(page, '01-empty');

    for (const kind of ['Embedding', 'LSTM', 'Dense']) {
      const before = await cards(page).count();
      await drag(page, page.getByTestId(`palette-${kind}`), await belowStack(page));
      await expect.poll(() => cards(page).count()).toBe(before + 1);
    }
    expect(await cards(page).evaluateAll((elements) => elements.map((element) => element.getAttribute('data-kind')))).toEqual(['Embedding', 'LSTM', 'Dense']);

    await setOption(page, 0, 'input_dim', '10000');
    await setOption(page, 0, 'output_dim', '32');
    await setOption(page, 1, 'units', '32');
    // Each option says what it does, under the field and read out with it.
    const units = page.getByTestId('inspector').getByLabel('units', { exact: true });
    const description = await units.evaluate((field) =>
      (field.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id) => document.getElementById(id))
        .filter((element) => element?.checkVisibility())
        .map((element) => element!.textContent)
        .join(' '),
    );
    expect(description).toMatch(/^Dimensionality of the output space\b.*Default 32\.$/);
    await shot(page, '02a-inspector-lstm');
    await setOption(page, 2, 'units', '1');
    await setOption(page, 2, 'activation', 'sigmoid');

    const params = page.getByTestId('layer-params');
    await expect.poll(() => params.allTextContents()).toEqual(['320,000', '8,320', '33']);
    expect(await page.getByTestId('total-params').textContent()).toBe('328,353');
    await params.nth(1).hover();
    await expect.poll(() => page.getByRole('tooltip').filter({ visible: true }).textContent()).toBe('4 · (32 · (32 + 32) + 32) = 8,320');
    // Before any run, the engine benchmarks the stack and projects an epoch of IMDb's reviews.
    const estimate = page.getByTestId('epoch-estimate');
    await expect.poll(() => estimate.textContent(), { timeout: 60_000 }).toMatch(/^\d[\d.]* (s|min)/);
    expect(await page.locator('span', { has: estimate }).getAttribute('title')).toMatch(/^From a benchmark of this model on this machine \(.+\): \d+ ms per training batch of 128 at maxlen 500/);
    await shot(page, '02-lstm-model');

    // An LSTM after an LSTM that returns only its last output cannot read a sequence.
    await drag(page, page.getByTestId('palette-LSTM'), await belowStack(page));
    await expect.poll(() => cards(page).count()).toBe(4);
    // Dropped below the last card, it lands last (a drop follows the pointer); the card's own button moves it above Dense.
    const kinds = () => cards(page).evaluateAll((elements) => elements.map((element) => element.getAttribute('data-kind')));
    await expect.poll(kinds).toEqual(['Embedding', 'LSTM', 'Dense', 'LSTM']);
    await card(page, 3).getByRole('button', { name: /Move .* up/ }).click();
    await expect.poll(kinds).toEqual(['Embedding', 'LSTM', 'LSTM', 'Dense']);
    const issue = card(page, 2).getByTestId('layer-issue');
    await expect.poll(() => issue.textContent()).toContain('LSTM needs a sequence: turn on return_sequences on lstm above');
    await shot(page, '03-broken-stack');
    await card(page, 2).getByRole('button', { name: 'Turn on return_sequences on lstm' }).click();
    await expect.poll(() => page.getByTestId('layer-issue').count()).toBe(0);
    await expect.poll(() => card(page, 1).textContent()).toContain('return_sequences');
    expect(await page.getByTestId('total-params').textContent()).toBe('336,673');

    // Undo the fix, redo it, then undo the fix, the move (if there was one) and the insertion: back to the book's model.
    const undo = page.getByRole('button', { name: 'Undo' });
    await undo.click();
    await expect.poll(() => page.getByTestId('layer-issue').count()).toBe(1);
    await page.getByRole('button', { name: 'Redo' }).click();
    await expect.poll(() => page.getByTestId('layer-issue').count()).toBe(0);
    for (let i = 0; i < 3; i++) await undo.click();
    await expect.poll(() => cards(page).count()).toBe(3);
    expect(await page.getByTestId('total-params').textContent()).toBe('328,353');
    expect(await page.getByTestId('layer-issue').count()).toBe(0);
    // Duplicate and delete from the card's buttons.
    await card(page, 1).getByRole('button', { name: /Duplicate/ }).click();
    await expect.poll(() => card(page, 2).getByTestId('layer-issue').count()).toBe(1);
    await card(page, 2).getByRole('button', { name: /Delete/ }).click();
    await expect.poll(() => page.getByTestId('total-params').textContent()).toBe('328,353');

    await page.getByRole('tab', { name: 'Summary' }).click();
    const summary = await page.getByTestId('summary-text').textContent();
    expect(summary).toContain('lstm (LSTM)');
    expect(summary).toContain('Total params: 328,353');
    await shot(page, '04-summary');

    // Data: the sample archive with short reviews, so training stays quick.
    await page.getByRole('tab', { name: 'Data' }).click();
    await page.getByLabel('Data path').fill(sampleData);
    await page.getByLabel('Review length (maxlen)').fill('50');
    await page.getByRole('button', { name: 'Open data' }).click();
    await page.getByTestId('data-preview').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('train-count').textContent()).toBe('1,000');
    expect(await page.getByTestId('test-count').textContent()).toBe('500');
    await shot(page, '05-data');

    // Train one epoch on 256 reviews; the charts gain points as batches and the epoch arrive.
    await page.getByRole('tab', { name: 'Train' }).click();
    const settings = page.getByRole('form', { name: 'Hyperparameters' });
    await settings.getByLabel('Epochs').fill('1');
    await settings.getByLabel('Batch size').fill('32');
    await settings.getByLabel('Train on first N reviews').fill('256');
    await settings.getByLabel('Seed').fill('7');
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 90_000 }).toBe('Finished');
    expect(Number(await page.getByTestId('loss-chart').getAttribute('data-points'))).toBeGreaterThanOrEqual(3);
    expect(Number(await page.getByTestId('acc-chart').getAttribute('data-points'))).toBeGreaterThanOrEqual(3);
    expect(Number(await page.getByTestId('grad-chart').getAttribute('data-points'))).toBe(1);
    expect(await page.getByTestId('epochs-done').textContent()).toBe('1/1');
    await shot(page, '06-trained');

    // A second, longer run is stopped while it trains.
    await settings.getByLabel('Epochs').fill('50');
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    // Stopped after its first epoch, so it has a checkpoint to resume from.
    await expect.poll(() => page.getByTestId('epochs-done').textContent(), { timeout: 90_000 }).toBe('1/50');
    await shot(page, '06b-training-live');
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 30_000 }).toBe('Stopped');

    // Runs: both listed; evaluate, try a review and export the finished one.
    await page.getByRole('tab', { name: 'Runs' }).click();
    await expect.poll(() => page.getByTestId('run-row').count()).toBe(2);
    await page.locator('[data-testid="run-row"][data-status="done"]').getByRole('button', { pressed: false }).or(page.locator('[data-testid="run-row"][data-status="done"]').getByRole('button', { pressed: true })).first().click();
    await page.getByRole('button', { name: 'Evaluate' }).click();
    await page.getByTestId('confusion').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Predict' }).click();
    await expect.poll(() => page.getByTestId('prediction').textContent(), { timeout: 30_000 }).toMatch(/^(positive|negative) · \d+\.\d% likely positive$/);
    const out = path.join(exportsDir, 'lstm-model');
    await page.getByLabel('Path', { exact: true }).fill(out);
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await expect.poll(() => page.getByTestId('export-result').textContent(), { timeout: 60_000 }).toContain(out);
    expect(existsSync(path.join(out, 'model.json'))).toBe(true);

    // The export comes back in as a run of its own.
    await page.getByLabel(/Import an exported model/).fill(out);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await expect.poll(() => page.getByTestId('run-row').count(), { timeout: 60_000 }).toBe(3);
    await expect.poll(() => page.getByTestId('run-row').filter({ hasText: '(imported)' }).count()).toBe(1);
    await shot(page, '07-runs');

    // The stopped run resumes from its checkpoint, with its first epoch already on the charts.
    await page.locator('[data-testid="run-row"][data-status="stopped"] button.link').click();
    await page.getByRole('button', { name: 'Resume training' }).click();
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toMatch(/^Epoch \d+ of 50$/);
    expect(Number(await page.getByTestId('grad-chart').getAttribute('data-points'))).toBeGreaterThanOrEqual(1);
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 30_000 }).toBe('Stopped');

    // The same screens at 1920×1080 and in the dark theme, for a look at spacing and contrast.
    await page.getByRole('tab', { name: 'Model' }).click();
    // With a measured epoch and the data open, the canvas projects an epoch's time.
    await expect.poll(() => page.getByTestId('epoch-estimate').textContent()).toMatch(/\d/);
    await shot(page, '08-builder-trained');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await shot(page, '10-builder-1920');
    await page.getByRole('tab', { name: 'Train' }).click();
    await shot(page, '11-train-1920');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, '12-train-dark');
    await page.getByRole('tab', { name: 'Model' }).click();
    await shot(page, '13-builder-dark');
    await page.close();
  }, 240_000);

  it('builds, edits, breaks and fixes the same model by keyboard only', async () => {
    const page = await openApp();
    const press = (key: string) => page.keyboard.press(key);

    // Keyboard drag and drop (svelte-dnd-action): lift a palette item, Tab into the canvas, drop.
    await page.getByTestId('palette-Embedding').focus();
    await press('Space');
    await press('Tab');
    await press('Space');
    await expect.poll(() => cards(page).count()).toBe(1);

    // The palette's add buttons put a layer below the selected one: Tab from Embedding's button to LSTM's.
    await page.getByRole('button', { name: 'Add Embedding', exact: true }).focus();
    for (let i = 0; i < 4; i++) await press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Add LSTM');
    await press('Enter');
    await page.getByRole('button', { name: 'Add Dense', exact: true }).focus();
    await press('Enter');
    expect(await cards(page).evaluateAll((elements) => elements.map((element) => element.getAttribute('data-kind')))).toEqual(['Embedding', 'LSTM', 'Dense']);

    // The new Dense is selected; its inspector fields are edited by typing.
    await page.getByTestId('inspector').getByLabel('units', { exact: true }).focus();
    await press('Control+A');
    await page.keyboard.type('1');
    await press('Tab');
    // A focused select picks by typing the first letters.
    await page.keyboard.type('si');
    expect(await page.getByTestId('inspector').getByLabel('activation', { exact: true }).inputValue()).toBe('sigmoid');
    await expect.poll(() => page.getByTestId('layer-params').allTextContents()).toEqual(['320,000', '8,320', '33']);
    expect(await page.getByTestId('total-params').textContent()).toBe('328,353');

    // Focus on a parameter count shows its formula.
    await page.getByTestId('layer-params').nth(1).focus();
    await expect.poll(() => page.getByRole('tooltip').filter({ visible: true }).textContent()).toBe('4 · (32 · (32 + 32) + 32) = 8,320');

    // Walk to the LSTM card with the arrow keys, duplicate it (Ctrl+D): the copy needs a sequence.
    await page.locator('[data-item-id]').first().focus();
    await press('ArrowDown');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(/^LSTM lstm,/);
    await press('Control+d');
    await expect.poll(() => cards(page).count()).toBe(4);
    await expect.poll(() => page.getByTestId('layer-issue').textContent()).toContain('turn on return_sequences on lstm above');
    await page.getByTestId('apply-fix').focus();
    await press('Enter');
    await expect.poll(() => page.getByTestId('layer-issue').count()).toBe(0);
    await shot(page, '20-keyboard-fixed');

    // Ctrl+Z undoes the fix; the duplicate goes with Delete; Alt+↑ / Alt+↓ reorder.
    await page.locator('body').focus();
    await press('Control+z');
    await expect.poll(() => page.getByTestId('layer-issue').count()).toBe(1);
    await page.locator('[data-item-id]').nth(2).focus();
    await press('Delete');
    await expect.poll(() => cards(page).count()).toBe(3);
    await page.locator('[data-item-id]').nth(2).focus();
    await press('Alt+ArrowUp');
    await expect.poll(() => cards(page).evaluateAll((elements) => elements.map((element) => element.getAttribute('data-kind')))).toEqual(['Embedding', 'Dense', 'LSTM']);
    await press('Alt+ArrowDown');
    await expect.poll(() => cards(page).evaluateAll((elements) => elements.map((element) => element.getAttribute('data-kind')))).toEqual(['Embedding', 'LSTM', 'Dense']);
    await expect.poll(() => page.getByTestId('total-params').textContent()).toBe('328,353');

    // Data by keyboard: the tab, the path, maxlen, Enter submits.
    await page.getByRole('tab', { name: 'Data' }).focus();
    await press('Enter');
    await page.getByLabel('Data path').focus();
    await page.keyboard.type(sampleData);
    await press('Tab'); // Browse…
    await press('Tab'); // max_features
    await press('Tab'); // maxlen
    await press('Control+A');
    await page.keyboard.type('50');
    await press('Enter');
    await page.getByTestId('data-preview').waitFor({ timeout: 60_000 });

    // Train one epoch, then start a long run and stop it, all from the keyboard.
    await page.getByRole('tab', { name: 'Train' }).focus();
    await press('Enter');
    const settings = page.getByRole('form', { name: 'Hyperparameters' });
    const typeInto = async (label: string, value: string) => {
      await settings.getByLabel(label).focus();
      await press('Control+A');
      await page.keyboard.type(value);
    };
    await typeInto('Epochs', '1');
    await typeInto('Batch size', '32');
    await typeInto('Train on first N reviews', '128');
    await page.getByRole('button', { name: 'Train', exact: true }).focus();
    await press('Enter');
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 90_000 }).toBe('Finished');
    expect(Number(await page.getByTestId('loss-chart').getAttribute('data-points'))).toBeGreaterThanOrEqual(3);
    await typeInto('Epochs', '50');
    await page.getByRole('button', { name: 'Train', exact: true }).focus();
    await press('Enter');
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toMatch(/^Epoch \d+ of 50$/);
    await page.getByRole('button', { name: 'Stop', exact: true }).focus();
    await press('Enter');
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 30_000 }).toBe('Stopped');

    // Export the finished run to a zip from the keyboard.
    await page.getByRole('tab', { name: 'Runs' }).focus();
    await press('Enter');
    await expect.poll(() => page.locator('[data-testid="run-row"][data-status="done"]').count()).toBeGreaterThanOrEqual(1);
    await page.locator('[data-testid="run-row"][data-status="done"] button.link').first().focus();
    await press('Enter');
    const format = page.getByLabel('Format');
    await format.focus();
    await page.keyboard.type('TensorFlow.js .');
    expect(await format.inputValue()).toBe('zip');
    const out = path.join(exportsDir, 'keyboard.zip');
    await page.getByLabel('Path', { exact: true }).focus();
    await page.keyboard.type(out);
    await press('Enter');
    await expect.poll(() => page.getByTestId('export-result').textContent(), { timeout: 60_000 }).toContain(out);
    expect(existsSync(out)).toBe(true);
    await shot(page, '21-keyboard-export');
    await page.close();
  }, 240_000);

  it('says in the status bar which implementation computes each recurrent layer, and why', async () => {
    const page = await openApp();
    const engine = page.getByTestId('engine-info');
    // Before there is a model the bar names the kernels only: no stack is claimed fused.
    await expect.poll(() => engine.textContent(), { timeout: 60_000 }).toMatch(/^engine \w+ · (fused kernels ready \(.+ threads?\)|tfjs-layers \(fused kernels unavailable: .+\))$/);
    // The server's engine loads the same addon as this process.
    const available = fusedStatus().available;
    expect((await engine.textContent())!.includes('fused kernels ready')).toBe(available);
    await page.getByRole('button', { name: 'GRU (IMDb)' }).click();
    await expect.poll(() => engine.textContent()).toMatch(available ? /^engine \w+ · gru fused$/ : /^engine \w+ · gru tfjs-layers \(fused kernels unavailable: .+\)$/);
    expect(await engine.getAttribute('title')).toMatch(available ? /\ngru \(GRU\): fused native kernels$/ : /\ngru \(GRU\): tfjs-layers \(fused kernels unavailable: .+\)$/);
    // An option the kernels do not compute moves the layer to tfjs-layers, and the bar says which.
    await setOption(page, 1, 'recurrent_activation', 'hard_sigmoid');
    if (available) {
      await expect.poll(() => engine.textContent()).toMatch(/^engine \w+ · gru tfjs-layers \(hard_sigmoid recurrent activation\)$/);
      expect(await engine.getAttribute('title')).toMatch(/^Backend \w+; fused native kernels \(.+\)\ngru \(GRU\): tfjs-layers \(hard_sigmoid recurrent activation\)$/);
    }
    await page.close();
  });

  it('starts from a preset, saves and reopens the project, warns before unload and restores the autosaved draft', async () => {
    forgetDraft();
    const page = await chromium.browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    await page.goto(app.url);
    await page.getByTestId('app-info').waitFor();
    // One click from the empty state.
    await page.getByRole('button', { name: 'GRU (IMDb)' }).click();
    await expect.poll(() => cards(page).evaluateAll((elements) => elements.map((element) => element.getAttribute('data-kind')))).toEqual(['Embedding', 'GRU', 'Dense']);
    await page.getByTestId('dirty').waitFor();

    // Save downloads the project file; it is the shared project format.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save' }).click()]);
    const saved = path.join(exportsDir, download.suggestedFilename());
    await download.saveAs(saved);
    const file = JSON.parse(readFileSync(saved, 'utf8')) as { version: number; layers: { kind: string }[] };
    expect(file.version).toBe(1);
    expect(file.layers.map((layer) => layer.kind)).toEqual(['Embedding', 'GRU', 'Dense']);
    await expect.poll(() => page.getByTestId('dirty').count()).toBe(0);

    // An unsaved change: closing the page asks first, and the draft survives a reload.
    await card(page, 2).getByRole('button', { name: /Delete/ }).click();
    await expect.poll(draftKinds).toEqual(['Embedding', 'GRU']);
    const dialog = new Promise<string>((resolve) =>
      page.once('dialog', (d) => {
        resolve(d.type());
        void d.accept();
      }),
    );
    await page.reload();
    expect(await dialog).toBe('beforeunload');
    await page.getByRole('button', { name: 'Restore draft' }).click();
    await expect.poll(() => cards(page).count()).toBe(2);

    // Open brings back the saved file.
    page.once('dialog', (d) => void d.accept());
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Open…' }).click()]);
    await chooser.setFiles(saved);
    await expect.poll(() => cards(page).count()).toBe(3);

    // A wrong path gets the data service's message, naming the file.
    await page.getByRole('tab', { name: 'Data' }).click();
    const missing = path.join(exportsDir, 'no-such-reviews.tar.gz');
    await page.getByLabel('Data path').fill(missing);
    await page.getByRole('button', { name: 'Open data' }).click();
    await expect.poll(() => page.getByTestId('data-error').textContent(), { timeout: 30_000 }).toContain(missing);
    await shot(page, '14-data-error');

    // Web mode browses the server's folders for the data file.
    await page.getByLabel('Data path').fill(path.dirname(sampleData));
    await page.getByRole('button', { name: 'Browse…' }).click();
    const browser = page.getByRole('dialog', { name: 'Choose data on the server' });
    await browser.getByRole('button', { name: /aclImdb-sample\.tar\.gz/ }).click();
    expect(await page.getByLabel('Data path').inputValue()).toBe(sampleData);
    await expect.poll(() => browser.isVisible()).toBe(false);

    // Opening with a vocabulary not cached yet takes a few seconds; Cancel stops it.
    await page.getByLabel('Vocabulary (max_features)').fill('777');
    await page.getByRole('button', { name: /^(Open data|Reopen)$/ }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.getByTestId('data-error').textContent(), { timeout: 30_000 }).toContain('cancelled');
    await page.close();
  });
});
