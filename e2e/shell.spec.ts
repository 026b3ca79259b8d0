import { expect, test } from '@playwright/test';

test('the studio loads with a WebGPU adapter and no console errors', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));

  await page.goto('/');
  const panel = page.getByTestId('gpu-status');
  await expect(panel).toHaveAttribute('data-status', 'ready');
  await expect(page.getByTestId('gpu-adapter')).not.toBeEmpty();
  const adapter = (await page.getByTestId('gpu-adapter').textContent()) ?? '';
  console.log(`adapter: ${adapter}`);
  // No GPU on CI: Chromium's fallback adapter is SwiftShader.
  if (process.env.CI) expect(adapter.toLowerCase()).toContain('swiftshader');
  await expect(page.getByTestId('gpu-memory')).toContainText('In use');
  await expect(page.getByTestId('gpu-selftest')).toContainText('passed');

  for (const name of ['Models', 'Datasets', 'Train', 'Experiments', 'Playground', 'Export']) {
    await page.getByRole('button', { name }).click();
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  }
  // Back/forward and typed URLs move between pages without a reload.
  await page.goBack();
  await expect(page.getByRole('heading', { level: 1, name: 'Playground' })).toBeVisible();
  await page.evaluate(() => (location.hash = '/datasets'));
  await expect(page.getByRole('heading', { level: 1, name: 'Datasets' })).toBeVisible();
  expect(problems).toEqual([]);
});

test('a page without WebGPU explains what to enable', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
    delete (Navigator.prototype as { gpu?: unknown }).gpu;
  });
  await page.goto('/');
  await expect(page.getByTestId('no-webgpu')).toContainText('enable-unsafe-webgpu');
});
