// The Experiments page end to end on SwiftShader: a tiny checkpoint from a hub-style server, a 2-configuration LoRA
// sweep (rank 4, alphas 4 and 8) on 12 rows of the sample dataset (11 train, 1 eval); the page reloads while the sweep runs, the queue
// comes back from IndexedDB, "Resume sweep" finishes it, and the leaderboard and heatmap show both runs.
import { expect, type Page, test } from '@playwright/test';
import { makeTinyT5 } from '../src/io/tiny-t5';
import { startTinyHub } from './tiny-hub';
import { loadHubModel } from './hub-steps';

const ID = 'tiny/sweep-e2e';
const CHECKPOINT = makeTinyT5({ dModel: 32, layers: 1, decoderLayers: 1, heads: 2, dKv: 16, dFf: 64, vocab: 160, spareRows: 24, seed: 3 });

test.setTimeout(600_000);

async function openStudio(page: Page, hash = '') {
  await page.goto(`/${hash}`);
  await expect(page.getByTestId('gpu-status')).toHaveAttribute('data-status', 'ready');
}

test('a sweep survives a reload: the queue comes back, resumes and finishes; results show in the leaderboard and heatmap', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  const hub = await startTinyHub(ID, CHECKPOINT);
  try {
    await openStudio(page);
    await loadHubModel(page, hub, ID);

    const nav = page.getByRole('navigation', { name: 'Studio' });
    await nav.getByRole('button', { name: 'Train' }).click();
    const train = page.getByTestId('page-train');
    await train.getByRole('radio', { name: 'All but rejected rows' }).check();
    await train.getByLabel('Use only the first').fill('12');
    await train.getByLabel('Learning rate').fill('0.001');
    await train.getByLabel('Batch size').fill('4');
    await train.getByLabel('Max steps').fill('2');
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
    await ex.getByLabel('Alphas').fill('4, 8');
    await expect(ex.getByTestId('sweep-count')).toContainText('2 runs on 12 rows');
    await ex.getByRole('button', { name: 'Start sweep' }).click();

    const queue = ex.getByTestId('sweep-queue');
    await expect(queue.locator('tbody tr').first()).toContainText('done', { timeout: 300_000 });
    await page.reload();
    await openStudio(page, '#/experiments');
    const after = page.getByTestId('page-experiments');
    await expect(after.getByTestId('sweep-queue').locator('tbody tr')).toHaveCount(2);
    await expect(after.getByTestId('sweep-queue').locator('tbody tr').first()).toContainText('done');
    // The second configuration was running, waiting or already finished when the page went away.
    const second = (await after.getByTestId('sweep-queue').locator('tbody tr').nth(1).textContent()) ?? '';
    if (!second.includes('done')) {
      await after.getByRole('button', { name: 'Resume sweep' }).click();
      await expect(after.getByTestId('sweep-queue').locator('tbody tr').nth(1)).toContainText('done', { timeout: 300_000 });
    }
    const board = after.getByRole('table', { name: 'Leaderboard' });
    await expect(board.locator('tbody tr')).toHaveCount(2);
    for (const i of [0, 1]) await expect(board.locator('tbody tr').nth(i)).toContainText(/lora.*done\s*\d+\.\d{5}/);
    // One LoRA square per alpha (rank 4 x alphas 4, 8) with its mean loss; QLoRA's grid stays empty.
    await expect(after.getByRole('figure', { name: 'Heatmap' }).locator('rect title')).toHaveText([/r 4, alpha 4: \d+\.\d+ \(1 runs\)/, /r 4, alpha 8: \d+\.\d+ \(1 runs\)/, /no run/, /no run/]);
    await expect(after.getByTestId('recommendation')).toContainText('from measured runs');
    await page.screenshot({ path: 'test-results/experiments-page.png', fullPage: true });
    expect(problems).toEqual([]);
  } finally {
    await hub.close();
  }
});
