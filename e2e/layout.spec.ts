import { expect, test } from '@playwright/test';

// Narrow windows: below ~1100 px the GPU panel leaves its column so the Models table keeps its Load buttons at
// 1024 px; at 800 px the navigation is a top bar and the Datasets questions stay readable.

test('the Models table is usable at 1024 px and 800 px: every column and Load button inside the window', async ({ page }) => {
  for (const width of [1024, 800]) {
    await page.setViewportSize({ width, height: 800 });
    await page.goto('/#/models');
    const table = page.locator('.model-list table');
    await expect(table).toBeVisible();
    const box = (await table.boundingBox())!;
    expect(box.x + box.width, `table right edge at ${width} px`).toBeLessThanOrEqual(width);
    for (const button of await page.getByRole('button', { name: 'Load' }).all()) {
      const b = (await button.boundingBox())!;
      expect(b.x + b.width).toBeLessThanOrEqual(width);
    }
    await expect(page.getByRole('columnheader', { name: /QLoRA/ })).toBeInViewport();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    // The GPU panel is still there, under the page.
    await expect(page.getByTestId('gpu-status')).toBeAttached();
  }
});

test('at 800 px the Datasets question column shows whole words', async ({ page }) => {
  await page.setViewportSize({ width: 800, height: 800 });
  await page.goto('/#/datasets');
  await expect(page.getByTestId('page-datasets')).toHaveAttribute('data-status', 'ready');
  const cell = page.getByTestId('rows-table').locator('tbody tr').first().locator('td.q');
  expect((await cell.boundingBox())!.width).toBeGreaterThan(300);
});

test('a hub base URL that is not a URL, or plain http to another machine, is refused with a message', async ({ page }) => {
  await page.goto('/#/models');
  const field = page.getByTestId('hub-base-url');
  for (const [value, message] of [
    ['not a url', '"not a url" is not a URL'],
    ['http://example.com', 'hub downloads use https (plain http only to this machine: 127.0.0.1 or localhost)'],
  ]) {
    await field.fill(value);
    await page.getByRole('button', { name: 'Use' }).click();
    await expect(page.getByTestId('hub-url-problem')).toContainText(message);
    await expect(field).toHaveAttribute('aria-invalid', 'true');
  }
  await page.reload();
  await expect(page.getByTestId('hub-base-url')).toHaveValue('https://huggingface.co');
});
