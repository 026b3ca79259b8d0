// The Export page end to end on SwiftShader: a tiny checkpoint from a hub-style server trains a short LoRA run; the
// Export page downloads its adapter zip (files and PEFT keys checked here with fflate), its merged model zip and
// its loss chart; with a file picker (File System Access, here backed by the origin-private file system) the merged
// zip streams into the picked file, and Cancel stops it and leaves no file; the adapter zip is imported back, and in the Playground "Answer with" the imported adapter writes
// the same label as the run's checkpoint. An evaluation of the run's checkpoint is kept with the run and shown on
// both pages. Screenshots go to test-results/ (copied to docs/ by hand after a look).
import { readFileSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import { unzipSync } from 'fflate';
import { makeTinyT5 } from '../src/io/tiny-t5';
import { startTinyHub } from './tiny-hub';
import { loadHubModel } from './hub-steps';

const ID = 'tiny/export-e2e';
const CHECKPOINT = makeTinyT5({ dModel: 32, layers: 1, decoderLayers: 1, heads: 2, dKv: 16, dFf: 64, vocab: 160, spareRows: 24, seed: 5 });
/** 11 train rows in batches of 4: 3 steps, one epoch, so one evaluation makes the best checkpoint. */
const STEPS = 3;
/** Where screenshots go (test-results/ by default; another test run may clear it). */
const SHOTS = process.env.SCREENSHOT_DIR ?? 'test-results';

test.setTimeout(900_000);

/** The tensor names in a safetensors file's header. */
function safetensorsKeys(bytes: Uint8Array): string[] {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
  return Object.keys(header).filter((k) => k !== '__metadata__');
}

async function downloadOf(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Uint8Array; path: string }> {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), bytes: new Uint8Array(readFileSync(path)), path };
}

/**
 * A save picker backed by the origin-private file system, so the test can read the picked file back. With `gated`,
 * every write waits for window.releaseWrites() (and counts in window.writes), to cancel an export mid-way.
 */
async function installOpfsPicker(page: Page, gated: boolean): Promise<void> {
  await page.evaluate((gated) => {
    const w = window as unknown as { showSaveFilePicker: unknown; writes: number; releaseWrites: () => void };
    w.writes = 0;
    let release = () => undefined as void;
    const gate = new Promise<void>((ok) => (release = ok));
    w.releaseWrites = release;
    w.showSaveFilePicker = async ({ suggestedName }: { suggestedName: string }) => {
      const real = await (await navigator.storage.getDirectory()).getFileHandle(suggestedName, { create: true });
      if (!gated) return real;
      return {
        kind: 'file', name: real.name,
        createWritable: async () => {
          const writable = await real.createWritable();
          return {
            write: async (b: Uint8Array) => {
              w.writes++;
              await gate;
              await writable.write(b as Uint8Array<ArrayBuffer>);
            },
            close: () => writable.close(),
            abort: () => writable.abort(),
          };
        },
        remove: () => (real as FileSystemFileHandle & { remove(): Promise<void> }).remove(),
      };
    };
  }, gated);
}

/** A file's bytes from the origin-private file system, or null when there is none by that name. */
async function opfsFile(page: Page, name: string): Promise<Uint8Array | null> {
  const bytes = await page.evaluate(async (name) => {
    try {
      const file = await (await (await navigator.storage.getDirectory()).getFileHandle(name)).getFile();
      return [...new Uint8Array(await file.arrayBuffer())];
    } catch (e) {
      if ((e as DOMException).name === 'NotFoundError') return null;
      throw e;
    }
  }, name);
  return bytes && Uint8Array.from(bytes);
}

async function generate(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Generate' }).click();
  const result = page.getByTestId('playground-result');
  await expect(page.getByTestId('playground-result-status')).toContainText(/Done|Cut off/, { timeout: 120_000 });
  return (await result.getAttribute('data-text')) ?? '';
}

test('export a LoRA run: adapter zip with PEFT keys, merged model, chart; import it back and it answers as the run does', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  const hub = await startTinyHub(ID, CHECKPOINT);
  try {
    // Without a file picker, zips are offered as downloads (a Blob of the zip's chunks); the picker comes later.
    await page.addInitScript(() => Object.defineProperty(window, 'showSaveFilePicker', { value: undefined, configurable: true, writable: true }));
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto('/');
    await expect(page.getByTestId('gpu-status')).toHaveAttribute('data-status', 'ready');
    await loadHubModel(page, hub, ID);

    const nav = page.getByRole('navigation', { name: 'Studio' });
    await nav.getByRole('button', { name: 'Train' }).click();
    const train = page.getByTestId('page-train');
    await expect(train.getByLabel('Base model')).toHaveValue(`hub:${ID}`);
    await train.getByRole('radio', { name: 'All but rejected rows' }).check();
    await train.getByLabel('Use only the first').fill('12');
    await train.getByLabel('Method').selectOption('lora');
    await train.getByLabel('Rank').fill('4');
    await train.getByLabel('Alpha').fill('8');
    await train.getByLabel('Learning rate').fill('0.01');
    await train.getByLabel('Batch size').fill('4');
    await train.getByLabel('Epochs').fill('1');
    await train.getByLabel('Max steps').fill(String(STEPS));
    await train.getByText('More settings').click();
    await train.getByLabel('Max input length').fill('32');
    await train.getByLabel('Max target length').fill('32');
    await train.getByLabel('Run name').fill('export lora');
    await train.getByRole('button', { name: 'Start training' }).click();
    await expect(train.getByTestId('run-view')).toHaveAttribute('data-status', 'done', { timeout: 400_000 });

    // ---- Export: the adapter zip, checked file by file ----
    await nav.getByRole('button', { name: 'Export' }).click();
    const run = page.getByTestId('export-run').filter({ hasText: 'export lora' });
    await expect(run).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/export-page-run.png`, fullPage: true });
    await expect(run.getByRole('button', { name: /^Adapter zip \(best/ })).toBeVisible();
    const adapter = await downloadOf(page, () => run.getByRole('button', { name: /^Adapter zip \(best/ }).click());
    expect(adapter.name).toBe('export_lora-best-adapter.zip');
    const files = unzipSync(adapter.bytes);
    expect(Object.keys(files).sort()).toEqual(expect.arrayContaining(['README.md', 'adapter_config.json', 'adapter_model.safetensors', 'tokenizer.json']));
    const config = JSON.parse(new TextDecoder().decode(files['adapter_config.json'])) as Record<string, unknown>;
    expect(config).toMatchObject({ peft_type: 'LORA', task_type: 'SEQ_2_SEQ_LM', r: 4, lora_alpha: 8, base_model_name_or_path: ID, use_rslora: false });
    expect(config.target_modules).toBeTruthy();
    const keys = safetensorsKeys(files['adapter_model.safetensors']);
    const lora = keys.filter((k) => /^base_model\.model\..+\.lora_[AB]\.weight$/.test(k));
    expect(lora.length).toBeGreaterThanOrEqual(4);
    expect(lora.filter((k) => k.endsWith('lora_A.weight')).length).toBe(lora.filter((k) => k.endsWith('lora_B.weight')).length);
    expect(keys.every((k) => k.startsWith('base_model.model.'))).toBe(true);
    await expect(page.getByTestId('export-progress')).toHaveCount(0);

    // The merged model: a plain checkpoint, no LoRA names left.
    const merged = await downloadOf(page, () => run.getByRole('button', { name: /^Merged model zip \(best/ }).click());
    const mergedFiles = unzipSync(merged.bytes);
    expect(Object.keys(mergedFiles)).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'tokenizer.json']));
    const mergedKeys = safetensorsKeys(mergedFiles['model.safetensors']);
    expect(mergedKeys).toContain('shared.weight');
    expect(mergedKeys.some((k) => k.includes('lora'))).toBe(false);

    // With a file picker the merged zip streams into the picked file: the same files, and no download.
    const downloads: string[] = [];
    page.on('download', (d) => downloads.push(d.suggestedFilename()));
    await installOpfsPicker(page, false);
    await run.getByRole('button', { name: /^Merged model zip \(best/ }).click();
    // The picked file holds the zip once its writable closes (before that it is empty): wait for a whole zip.
    let picked: Uint8Array | null = null;
    const zipEntries = (bytes: Uint8Array | null) => {
      try {
        return bytes ? Object.keys(unzipSync(bytes)).length : 0;
      } catch {
        return 0;
      }
    };
    await expect.poll(async () => zipEntries((picked = await opfsFile(page, 'export_lora-best-merged.zip'))), { timeout: 120_000 }).toBe(Object.keys(mergedFiles).length);
    await expect(page.getByTestId('export-notice')).toHaveText('Saved export_lora-best-merged.zip.');
    await expect(page.getByTestId('export-progress')).toHaveCount(0);
    const pickedFiles = unzipSync(picked!);
    expect(Object.keys(pickedFiles).sort()).toEqual(Object.keys(mergedFiles).sort());
    for (const name of Object.keys(mergedFiles)) expect(Buffer.compare(pickedFiles[name], mergedFiles[name]), name).toBe(0);

    // Cancel while the first chunk is being written: the export stops, the picked file is removed, nothing downloads.
    await installOpfsPicker(page, true);
    await run.getByRole('button', { name: /^Merged model zip \(latest/ }).click();
    await expect.poll(() => page.evaluate(() => (window as unknown as { writes: number }).writes), { timeout: 120_000 }).toBeGreaterThan(0);
    await page.getByTestId('export-progress').getByRole('button', { name: 'Cancel' }).click();
    await page.evaluate(() => (window as unknown as { releaseWrites: () => void }).releaseWrites());
    await expect(page.getByTestId('export-notice')).toHaveText('Cancelled export_lora-latest-merged.zip: nothing was saved.');
    await expect(page.getByTestId('export-progress')).toHaveCount(0);
    expect(await opfsFile(page, 'export_lora-latest-merged.zip')).toBeNull();
    expect(downloads).toEqual([]);
    await page.evaluate(() => Object.defineProperty(window, 'showSaveFilePicker', { value: undefined, configurable: true, writable: true }));

    // The loss chart as SVG and PNG.
    const svg = await downloadOf(page, () => run.getByRole('button', { name: 'Loss chart SVG' }).click());
    expect(new TextDecoder().decode(svg.bytes)).toMatch(/^<svg[^>]*>[\s\S]*train loss \(3\)[\s\S]*<\/svg>$/);
    const png = await downloadOf(page, () => run.getByRole('button', { name: 'Loss chart PNG' }).click());
    expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

    // ---- Import the zip back ----
    await page.getByLabel('Adapter zip').setInputFiles({ name: adapter.name, mimeType: 'application/zip', buffer: Buffer.from(adapter.bytes) });
    await expect(page.getByTestId('export-notice')).toContainText('r 4, alpha 8');
    await expect(page.getByTestId('imported-adapter')).toHaveCount(1);

    // ---- Playground: the run's checkpoint and the imported adapter answer alike ----
    await nav.getByRole('button', { name: 'Playground' }).click();
    const answerWith = page.getByLabel('Answer with');
    await page.getByLabel('Question').fill('How many sales in Europe last month?');
    await page.getByLabel('Max new tokens', { exact: true }).fill('16');
    await answerWith.selectOption({ label: `Run “export lora”, best checkpoint (step ${STEPS})` });
    const fromRun = await generate(page);
    expect(fromRun.length).toBeGreaterThan(0);
    await answerWith.selectOption({ label: `Imported adapter export_lora-best-adapter (base ${ID}), on the loaded model` });
    await expect(page.getByTestId('playground-model')).toContainText('adapter');
    const fromImport = await generate(page);
    expect(fromImport).toBe(fromRun);
    // Unconstrained, the barely trained model writes free text: a finer fingerprint of the weights.
    await page.getByLabel('JSON-constrained decoding').uncheck();
    const freeFromImport = await generate(page);
    await answerWith.selectOption({ label: `Run “export lora”, best checkpoint (step ${STEPS})` });
    const freeFromRun = await generate(page);
    expect(freeFromRun.length).toBeGreaterThan(0);
    expect(freeFromImport).toBe(freeFromRun);
    await answerWith.selectOption({ label: `Imported adapter export_lora-best-adapter (base ${ID}), on the loaded model` });
    await page.getByLabel('JSON-constrained decoding').check();
    await generate(page);
    await page.screenshot({ path: `${SHOTS}/playground-page.png`, fullPage: true });

    // An evaluation of the run's checkpoint is kept with the run.
    await answerWith.selectOption({ label: `Run “export lora”, best checkpoint (step ${STEPS})` });
    await expect(page.getByRole('combobox', { name: /^Dataset/ })).toHaveValue(/.+/);
    await page.getByLabel('Eval rows (0 = all)').fill('2');
    await page.getByLabel('Eval max new tokens').fill('6');
    await page.getByLabel('rationales', { exact: true }).uncheck();
    await page.getByRole('button', { name: 'Evaluate', exact: true }).click();
    await expect(page.getByTestId('eval-report')).toContainText('on 2 of', { timeout: 120_000 });
    await expect(page.getByTestId('stored-evaluations')).toContainText(`best (step ${STEPS})`);

    await nav.getByRole('button', { name: 'Export' }).click();
    await run.getByText('Generation evaluations').click();
    await expect(run.getByTestId('stored-evaluations')).toContainText(`best (step ${STEPS})`);
    await page.screenshot({ path: `${SHOTS}/export-page.png`, fullPage: true });
    expect(problems).toEqual([]);
  } finally {
    await hub.close();
  }
});
