// Retakes the README's screenshots: `node --import tsx scripts/readme-screenshots.ts <home-with-runs>`.
// The home folder should hold finished runs (for example the seed's SimpleRNN and LSTM trained with
// `rnn-workbench train --data aclImdb-train.tar.gz`), so the pictures show real curves.
import path from 'node:path';
import { launchChromium } from '../test/support/browser';
import { repoRoot, startServe } from '../test/support/serve';

const home = process.argv[2];
if (home === undefined) throw new Error('Usage: node --import tsx scripts/readme-screenshots.ts <RNN_WORKBENCH_HOME with runs>');

const app = await startServe({ RNN_WORKBENCH_HOME: path.resolve(home) });
const chromium = await launchChromium();
try {
  const page = await chromium.browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(app.url);
  await page.getByRole('button', { name: 'LSTM (IMDb)' }).click();
  await page.getByText('lstm', { exact: true }).first().click();
  // The engine benchmarks the stack for the header's epoch estimate; show its figure, not "measuring…".
  await page.getByTestId('epoch-estimate').filter({ hasText: /\d/ }).waitFor({ timeout: 60_000 });
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(repoRoot, 'docs/builder.png') });

  await page.getByRole('tab', { name: 'Runs' }).click();
  const rows = page.getByTestId('run-row');
  await rows.first().waitFor();
  for (const name of ['SimpleRNN(32)', 'LSTM(32)']) await page.getByRole('checkbox', { name: `Compare ${name}` }).first().check();
  await rows.filter({ hasText: 'LSTM(32)' }).first().locator('button.link').click();
  // Tall enough that the comparison charts under the run's details are in view.
  await page.setViewportSize({ width: 1280, height: 1040 });
  await page.waitForTimeout(800);
  await page.screenshot({ path: path.join(repoRoot, 'docs/runs.png') });
} finally {
  await chromium.close();
  await app.stop();
}
