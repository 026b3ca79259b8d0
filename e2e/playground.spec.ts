// The Playground end to end on SwiftShader: load the tiny checkpoint as a picked folder, then generate a label with
// the JSON switch on (tokens stream in, the finished label parses and is pretty-printed), explain, and stop a long
// unconstrained generation with the Stop button; then evaluate it on two eval rows of the sample dataset.
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
  await page.getByLabel('Max new tokens', { exact: true }).fill('40');
  await page.getByRole('button', { name: 'Generate' }).click();
  // Tokens appear while it runs (the untrained model uses its whole budget).
  await expect(page.getByTestId('playground-stream')).toHaveText(/\{/);
  await expect(page.getByTestId('playground-result-status')).toContainText(/Done|Cut off/);
  const pretty = await page.getByTestId('playground-pretty').textContent();
  expect(() => JSON.parse(pretty ?? '')).not.toThrow();
  await expect(page.getByTestId('playground-validity')).not.toHaveText('not JSON');

  await page.getByLabel('Max new tokens', { exact: true }).fill('8');
  await page.getByRole('button', { name: 'Explain' }).click();
  await expect(page.getByTestId('playground-result-status')).toContainText('8 tokens');
  await expect(page.getByTestId('playground-answer')).not.toBeEmpty();

  await page.getByLabel('JSON-constrained decoding').uncheck();
  await page.getByLabel('Max new tokens', { exact: true }).fill('500');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('playground-stream')).not.toBeEmpty();
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('playground-result-status')).toContainText('Stopped');
  await expect(page.getByRole('button', { name: 'Generate' })).toBeEnabled();
  await expect(page.getByText(/History \(3\)/)).toBeVisible();

  // Evaluate on the sample dataset's eval split (the Datasets page loads the sample into IndexedDB on first visit).
  await page.getByRole('button', { name: 'Datasets' }).click();
  await expect(page.getByText('synthetic sample data')).toBeVisible();
  await page.getByRole('button', { name: 'Playground' }).click();
  await expect(page.getByRole('combobox', { name: /^Dataset/ })).toHaveValue(/.+/);
  await page.getByLabel('Eval rows (0 = all)').fill('2');
  await page.getByLabel('Eval max new tokens').fill('6');
  await page.getByLabel('JSON-constrained labels').check();
  await page.getByLabel('rationales', { exact: true }).uncheck();
  await page.getByRole('button', { name: 'Evaluate', exact: true }).click();
  await expect(page.getByTestId('eval-summary')).toContainText('JSON validity100.0%');
  await expect(page.getByTestId('eval-report')).toContainText('on 2 of');
  await page.getByText('Samples (2)').click();
  await expect(page.getByTestId('eval-sample')).toHaveCount(2);
  expect(problems).toEqual([]);
});
