// Retakes the README's screenshots: `node --import tsx scripts/readme-screenshots.ts [<home-with-runs>]`.
// docs/builder.png comes from a fresh data folder (the guided start dismissed, as a returning user
// sees it). docs/runs.png needs a home folder with finished runs (for example the seed's SimpleRNN
// and LSTM trained with `rnn-workbench train --data aclImdb-train.tar.gz`), so the pictures show real
// curves; without one it is left as it is.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchChromium } from '../test/support/browser';
import { repoRoot, startServe } from '../test/support/serve';

const home = process.argv[2];
const chromium = await launchChromium();
try {
  const fresh = mkdtempSync(path.join(tmpdir(), 'rnn-workbench-readme-'));
  const builder = await startServe({}, fresh);
  try {
    const page = await chromium.browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(builder.url);
    await page.getByTestId('guided-start').getByRole('button', { name: /Don't show/ }).click();
    await page.getByRole('button', { name: 'LSTM (IMDb)' }).click();
    await page.getByText('lstm', { exact: true }).first().click();
    // The engine benchmarks the stack for the header's epoch estimate; show its figure, not "measuring…".
    await page.getByTestId('epoch-estimate').filter({ hasText: /\d/ }).waitFor({ timeout: 60_000 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(repoRoot, 'docs/builder.png') });
  } finally {
    await builder.stop();
    rmSync(fresh, { recursive: true, force: true });
  }

  if (home === undefined) console.log('docs/runs.png left as it is: pass a home folder with finished runs to retake it.');
  else {
    const app = await startServe({ RNN_WORKBENCH_HOME: path.resolve(home) });
    try {
      const page = await chromium.browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(app.url);
      await page.getByTestId('app-info').waitFor();
      // A home whose guided start was dismissed before (by an earlier retake) shows none.
      const dismiss = page.getByTestId('guided-start').getByRole('button', { name: /Don't show/ });
      if (await dismiss.isVisible()) await dismiss.click();
      await page.getByRole('tab', { name: 'Runs' }).click();
      const rows = page.getByTestId('run-row');
      await rows.first().waitFor();
      for (const name of ['SimpleRNN(32)', 'LSTM(32)']) await page.getByRole('checkbox', { name: `Compare ${name}` }).first().check();
      await rows.filter({ hasText: 'LSTM(32)' }).first().locator('button.link').click();
      // The run's figures and tools above, the comparison charts at the bottom of the view.
      await page.setViewportSize({ width: 1280, height: 1040 });
      await page.getByRole('region', { name: 'Run comparison' }).evaluate((charts) => charts.scrollIntoView({ block: 'end' }));
      await page.waitForTimeout(800);
      await page.screenshot({ path: path.join(repoRoot, 'docs/runs.png') });
    } finally {
      await app.stop();
    }
  }
} finally {
  await chromium.close();
}
