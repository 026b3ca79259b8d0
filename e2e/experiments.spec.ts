// The Experiments page end to end on SwiftShader: a tiny checkpoint from a hub-style server, a 2-configuration LoRA
// sweep (rank 4, alphas 4 and 8; 6 steps of batch 8, so a checkpoint every 2 steps) on 12 rows of the sample dataset.
// Paused, the sweep stays paused across a reload; resumed and cut off by a reload mid-run, it resumes by itself (the
// running configuration from its latest checkpoint) and finishes. The leaderboard shows both runs with their exact
// match, the heatmap their losses. Screenshots of the page go to test-results/ (copied to docs/images/ after a look).
import { expect, type Locator, type Page, test } from '@playwright/test';
import { makeTinyT5 } from '../src/io/tiny-t5';
import { startTinyHub, type TinyHub } from './tiny-hub';
import { loadHubModel } from './hub-steps';

const ID = 'tiny/sweep-e2e';
const CHECKPOINT = makeTinyT5({ dModel: 32, layers: 1, decoderLayers: 1, heads: 2, dKv: 16, dFf: 64, vocab: 160, spareRows: 24, seed: 3 });

test.setTimeout(600_000);

async function openStudio(page: Page, hash = '') {
  await page.goto(`/${hash}`);
  await expect(page.getByTestId('gpu-status')).toHaveAttribute('data-status', 'ready');
}

/**
 * Load the tiny model, set the Train page's settings the sweep takes (12 rows, batch 8, 32-token lengths, these max
 * steps and learning rate) and build a LoRA rank-4 sweep over `alphas` on the Experiments page, not yet started.
 */
async function buildSweep(page: Page, hub: TinyHub, o: { maxSteps: string; alphas: string; lr?: string }): Promise<Locator> {
  await openStudio(page);
  await loadHubModel(page, hub, ID);
  const nav = page.getByRole('navigation', { name: 'Studio' });
  await nav.getByRole('button', { name: 'Train' }).click();
  const train = page.getByTestId('page-train');
  await train.getByRole('radio', { name: 'All but rejected rows' }).check();
  await train.getByLabel('Use only the first').fill('12');
  if (o.lr) await train.getByLabel('Learning rate').fill(o.lr);
  await train.getByLabel('Batch size').fill('8');
  await train.getByLabel('Max steps').fill(o.maxSteps);
  await train.getByText('More settings').click();
  await train.getByLabel('Max input length').fill('32');
  await train.getByLabel('Max target length').fill('32');

  await nav.getByRole('button', { name: 'Experiments' }).click();
  const ex = page.getByTestId('page-experiments');
  await ex.getByRole('button', { name: 'Paper grid' }).click();
  await expect(ex.getByTestId('sweep-count')).toContainText('50 runs');
  await ex.getByLabel('Models (hub ids)').fill(ID);
  await ex.getByRole('checkbox', { name: 'full' }).uncheck();
  await ex.getByRole('checkbox', { name: 'qlora' }).uncheck();
  await ex.getByLabel('Ranks').fill('4');
  await ex.getByLabel('Alphas').fill(o.alphas);
  return ex;
}

test('a sweep survives reloads: paused it stays paused, cut off it resumes by itself from its checkpoint; results show exact match, the heatmap the losses', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  const hub = await startTinyHub(ID, CHECKPOINT);
  try {
    const ex = await buildSweep(page, hub, { lr: '0.001', maxSteps: '6', alphas: '4, 8' });
    await expect(ex.getByTestId('sweep-count')).toContainText('2 runs on 12 rows');
    await page.screenshot({ path: 'test-results/experiments-builder.png', fullPage: true });
    await ex.getByRole('button', { name: 'Start sweep' }).click();

    // Paused by hand: a reload leaves it paused, waiting for "Resume sweep".
    await ex.getByRole('button', { name: 'Pause sweep' }).click();
    await expect(ex.getByRole('button', { name: 'Resume sweep' })).toBeVisible({ timeout: 300_000 });
    await page.reload();
    await openStudio(page, '#/experiments');
    let after = page.getByTestId('page-experiments');
    await expect(after.getByTestId('sweep-queue').locator('tbody tr')).toHaveCount(2);
    await expect(after.getByText(/^Paused\. "Resume sweep" continues with configuration 1 of 2/)).toBeVisible();
    await page.waitForTimeout(2000);
    await expect(after.getByRole('button', { name: 'Resume sweep' })).toBeVisible();
    await expect(after.getByTestId('sweep-notice')).toHaveCount(0);

    // Resumed, then cut off by a reload while the second configuration trains past its first checkpoint (step 2).
    await after.getByRole('button', { name: 'Resume sweep' }).click();
    await expect(after.getByRole('progressbar', { name: 'Training' })).toBeVisible();
    await expect(after.getByTestId('sweep-queue').locator('tbody tr').first()).toContainText('running');
    await page.screenshot({ path: 'test-results/experiments-running.png', fullPage: true });
    await page.waitForFunction(() => {
      const bar = document.querySelector('[role="progressbar"][aria-label="Training"]');
      return !!bar && /alpha8/.test(bar.textContent ?? '') && Number(bar.getAttribute('aria-valuenow')) >= 3;
    }, undefined, { polling: 'raf', timeout: 300_000 });
    await page.reload();
    await openStudio(page, '#/experiments');
    after = page.getByTestId('page-experiments');
    await expect(after.getByTestId('sweep-notice')).toHaveText(/^Resumed the sweep after reload: configuration 2 of 2, from step [24]$/);
    const queue = after.getByTestId('sweep-queue');
    await expect(queue.locator('tbody tr').first()).toContainText('done');
    // For docs/images: the resumed run training (if it has not already finished).
    await after.getByRole('progressbar', { name: 'Training' }).waitFor({ timeout: 30_000 }).catch(() => undefined);
    await after.getByRole('region', { name: /^Queue:/ }).screenshot({ path: 'test-results/experiments-resumed-panel.png' });
    await expect(queue.locator('tbody tr').nth(1)).toContainText('done', { timeout: 300_000 });
    await expect(after.getByRole('button', { name: 'Resume sweep' })).toHaveCount(0);
    const board = after.getByRole('table', { name: 'Leaderboard' });
    await expect(board.locator('tbody tr')).toHaveCount(2);
    await expect(board.locator('thead')).toContainText('exact match');
    for (const i of [0, 1]) {
      const row = board.locator('tbody tr').nth(i);
      await expect(row).toContainText(/lora.*done\s*\d+\.\d{5}/);
      // Exact match of the best checkpoint's greedy labels on the run's eval rows, measured in the studio as in the CLI.
      await expect(row.locator('td[data-column="exact_match"]')).toHaveText(/^[01]\.\d{3}$/);
    }
    // One LoRA square per alpha (rank 4 x alphas 4, 8) with its mean loss; QLoRA's grid stays empty.
    await expect(after.getByRole('figure', { name: 'Heatmap' }).locator('rect title')).toHaveText([/r 4, alpha 4: \d+\.\d+ \(1 runs\)/, /r 4, alpha 8: \d+\.\d+ \(1 runs\)/, /no run/, /no run/]);
    await expect(after.getByTestId('recommendation')).toContainText('from measured runs');
    await page.screenshot({ path: 'test-results/experiments-results.png', fullPage: true });
    await after.getByRole('region', { name: 'Results of this sweep' }).screenshot({ path: 'test-results/experiments-results-panel.png' });
    expect(problems).toEqual([]);
  } finally {
    await hub.close();
  }
});

test('a second tab follows the sweep another tab runs, changes nothing, and may resume it once that tab pauses it', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  const hub = await startTinyHub(ID, CHECKPOINT);
  try {
    // Long enough that the sweep is still training while the second tab opens; it is paused before the end.
    const ex = await buildSweep(page, hub, { maxSteps: '400', alphas: '4' });
    await ex.getByRole('button', { name: 'Start sweep' }).click();
    await expect(ex.getByRole('progressbar', { name: 'Training' })).toBeVisible({ timeout: 300_000 });

    const other = await page.context().newPage();
    other.on('pageerror', (e) => problems.push(`second tab: ${e.message}`));
    await openStudio(other, '#/experiments');
    const ex2 = other.getByTestId('page-experiments');
    await expect(ex2.getByTestId('sweep-elsewhere')).toContainText('Another tab of the studio is running this sweep');
    await expect(ex2.getByTestId('sweep-queue').locator('tbody tr').first()).toContainText('running in another tab');
    for (const name of ['Resume sweep', 'Pause sweep', 'Clear', 'Cancel']) await expect(ex2.getByRole('button', { name, exact: true })).toHaveCount(0);
    await other.screenshot({ path: 'test-results/experiments-second-tab.png', fullPage: true });
    await ex2.getByRole('region', { name: /^Queue:/ }).screenshot({ path: 'test-results/experiments-second-tab-panel.png' });
    // The first tab is still the one training.
    await expect(ex.getByRole('progressbar', { name: 'Training' })).toBeVisible();

    await ex.getByRole('button', { name: 'Pause sweep' }).click();
    await expect(ex.getByRole('button', { name: 'Resume sweep' })).toBeVisible({ timeout: 300_000 });
    await expect(ex2.getByTestId('sweep-elsewhere')).toHaveCount(0, { timeout: 30_000 });
    await expect(ex2.getByText(/^Paused\. "Resume sweep" continues with configuration 1 of 1 from its latest checkpoint/)).toBeVisible();
    await expect(ex2.getByRole('button', { name: 'Resume sweep' })).toBeVisible();
    expect(problems).toEqual([]);
  } finally {
    await hub.close();
  }
});
