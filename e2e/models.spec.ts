// The Models page end to end: a hub-style server on 127.0.0.1 serves the tiny fixture; the page downloads it with
// progress, shows the summary and the GPU bytes, then loads it again from Cache Storage with the server stopped;
// the same fixture also loads through the folder input.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { startTinyHub } from './tiny-hub';
import { addHubModel } from './hub-steps';

const FIXTURE = join(import.meta.dirname, '../fixtures/tiny-t5/untied-gated');
const ID = 'tiny/untied-gated';

async function openStudio(page: Page) {
  await page.goto('/');
  await expect(page.getByTestId('gpu-status')).toHaveAttribute('data-status', 'ready');
  await expect(page.getByTestId('page-models')).toBeVisible();
}

const weightsLine = (page: Page) => page.getByTestId('gpu-memory').locator('li', { hasText: 'weights:' });

test('hub load with progress, summary and GPU bytes; offline reload loads from the cache; folder input', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  const hub = await startTinyHub(ID, FIXTURE, { trickle: true });
  try {
    await openStudio(page);
    await addHubModel(page, hub, ID);
    const row = page.getByTestId(`model-row-${ID}`);
    await expect(row).toContainText('K'); // parameter count from config.json, e.g. "58.9 K"
    await expect(page.getByText(/with the label and rationale tasks in one pass \(16 sequences\)/)).toBeVisible();
    await page.screenshot({ path: 'test-results/models-page.png', fullPage: true });
    await expect(row.getByTestId('cached-badge')).toHaveCount(0);
    await expect(weightsLine(page)).toHaveText('weights: 0 B');

    await row.getByRole('button', { name: 'Load' }).click();
    const weightsBar = page.locator('[data-testid="file-progress"][data-file="model.safetensors"]');
    await expect(weightsBar).toBeVisible();
    await expect(weightsBar.locator('progress')).toHaveAttribute('max', String(readFileSync(join(FIXTURE, 'model.safetensors')).byteLength));
    const summary = page.getByTestId('model-summary');
    await expect(summary.getByTestId('summary-id')).toHaveText(ID);
    await expect(summary).toContainText(`${hub.base}/${ID}`);
    await expect(summary.getByTestId('summary-arch')).toContainText('d_model 32');
    const hubParams = (await summary.getByTestId('summary-params').textContent()) ?? '';
    await expect(page.getByTestId('load-progress')).toHaveCount(0);
    expect(hub.requests).toContain(`GET /${ID}/resolve/main/model.safetensors`);
    await expect(weightsLine(page)).not.toHaveText('weights: 0 B'); // the GPU panel polls the engine's byte count
    console.log(`after hub load: ${await weightsLine(page).textContent()}; summary: ${await summary.getByTestId('summary-gpu-bytes').textContent()}`);
    await expect(row.getByTestId('cached-badge')).toBeVisible();

    await page.getByTestId('try-input').fill('the cat');
    await page.getByTestId('try-generate').click();
    await expect(page.getByTestId('try-output')).toHaveCount(1);

    // Offline: stop the server, reload, load again from Cache Storage.
    await hub.close();
    hub.requests.length = 0;
    await page.reload();
    await openStudio(page);
    await expect(page.getByTestId('hub-base-url')).toHaveValue(hub.base);
    const again = page.getByTestId(`model-row-${ID}`);
    await expect(again.getByTestId('cached-badge')).toBeVisible();
    await again.getByRole('button', { name: 'Load' }).click();
    await expect(page.getByTestId('summary-id')).toHaveText(ID);
    await expect(page.getByTestId('models-message')).toContainText(`Loaded hub ${ID}`);
    expect(hub.requests).toEqual([]);

    // The same checkpoint as a picked folder.
    await page.getByTestId('folder-input').setInputFiles(FIXTURE);
    await expect(page.getByTestId('summary-id')).toHaveText('untied-gated');
    await expect(page.getByTestId('model-summary')).toContainText('picked folder untied-gated (5 files)');
    await expect(page.getByTestId('summary-params')).toHaveText(hubParams);
    await expect(weightsLine(page)).not.toHaveText('weights: 0 B');

    await page.getByTestId('unload-model').click();
    await expect(page.getByTestId('model-summary')).toHaveCount(0);
    await expect(weightsLine(page)).toHaveText('weights: 0 B');
    expect(problems).toEqual([]);
  } finally {
    await hub.close();
  }
});
