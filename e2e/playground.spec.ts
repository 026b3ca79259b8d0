// The Playground end to end on SwiftShader: load the tiny checkpoint as a picked folder, then generate a label with
// the JSON switch on (tokens stream in, the finished label parses and is pretty-printed), explain, and stop a long
// unconstrained generation with the Stop button.
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';

const FIXTURE = join(import.meta.dirname, '../fixtures/tiny-t5/untied-gated');

async function loadTiny(page: Page) {
  await page.goto('/');
  await expect(page.getByTestId('gpu-status')).toHaveAttribute('data-status', 'ready');
  await page.getByTestId('folder-input').setInputFiles(FIXTURE);
  await expect(page.getByTestId('summary-id')).toHaveText('untied-gated');
}

test('generate streams a JSON-constrained label, explain answers, Stop stops', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  await loadTiny(page);
  await page.getByRole('button', { name: 'Playground' }).click();
  await expect(page.getByTestId('playground-model')).toContainText('untied-gated');

  await page.getByLabel('Question').fill('How many sales in Europe last month?');
  await expect(page.getByLabel('JSON-constrained decoding')).toBeChecked();
  await page.getByLabel('Max new tokens').fill('40');
  await page.getByRole('button', { name: 'Generate' }).click();
  // Tokens appear while it runs (the untrained model uses its whole budget).
  await expect(page.getByTestId('playground-stream')).toHaveText(/\{/);
  await expect(page.getByTestId('playground-result-status')).toContainText(/Done|Cut off/);
  const pretty = await page.getByTestId('playground-pretty').textContent();
  expect(() => JSON.parse(pretty ?? '')).not.toThrow();
  await expect(page.getByTestId('playground-validity')).not.toHaveText('not JSON');

  await page.getByLabel('Max new tokens').fill('8');
  await page.getByRole('button', { name: 'Explain' }).click();
  await expect(page.getByTestId('playground-result-status')).toContainText('8 tokens');
  await expect(page.getByTestId('playground-answer')).not.toBeEmpty();

  await page.getByLabel('JSON-constrained decoding').uncheck();
  await page.getByLabel('Max new tokens').fill('500');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('playground-stream')).not.toBeEmpty();
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('playground-result-status')).toContainText('Stopped');
  await expect(page.getByRole('button', { name: 'Generate' })).toBeEnabled();
  await expect(page.getByText(/History \(3\)/)).toBeVisible();
  expect(problems).toEqual([]);
});
