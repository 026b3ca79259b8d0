// The Models page steps every e2e spec takes to get a checkpoint from the test hub: point the studio at the hub,
// add the model id, and (for most specs) load it.
import { expect, type Page } from '@playwright/test';
import type { TinyHub } from './tiny-hub';

/** Use the test hub as the studio's hub and add `id` to the Models list. */
export async function addHubModel(page: Page, hub: TinyHub, id: string): Promise<void> {
  await page.getByTestId('hub-base-url').fill(hub.base);
  await page.getByRole('button', { name: 'Use' }).click();
  await page.getByTestId('add-hub-id').fill(id);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
}

/** Add `id` from the test hub and load it; resolves once the loaded model's summary names it. */
export async function loadHubModel(page: Page, hub: TinyHub, id: string): Promise<void> {
  await addHubModel(page, hub, id);
  await page.getByTestId(`model-row-${id}`).getByRole('button', { name: 'Load' }).click();
  await expect(page.getByTestId('summary-id')).toHaveText(id);
}
