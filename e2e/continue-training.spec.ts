// Continuing an imported adapter end to end on SwiftShader: a PEFT adapter zip for the tiny hub checkpoint (made
// here: random LoRA A and B on q and v, so it is not a no-op) is imported on the Export page; "Continue training"
// opens the Train page with it chosen under "Start from adapter" (method LoRA, its rank and alpha filled in and
// locked); a short run trains it to the end and says which adapter it started from.
import { expect, test } from '@playwright/test';
import { zipSync } from 'fflate';
import { serializeSafetensors, type TensorToWrite } from '../src/io/safetensors';
import { parseT5Config } from '../src/model/config';
import { t5ParameterSpecs } from '../src/model/hf-names';
import { makeTinyT5 } from '../src/io/tiny-t5';
import { seededRandom } from '../src/common/random';
import { loadHubModel } from './hub-steps';
import { startTinyHub } from './tiny-hub';

const ID = 'tiny/continue-e2e';
const CHECKPOINT = makeTinyT5({ dModel: 32, layers: 1, decoderLayers: 1, heads: 2, dKv: 16, dFf: 64, vocab: 160, spareRows: 24, seed: 5 });
const R = 2;
const ALPHA = 4;

test.setTimeout(900_000);

/** A PEFT LoRA adapter zip for the tiny checkpoint: adapters on every q and v, small random A and B. */
function adapterZip(): Uint8Array {
  const configText = CHECKPOINT.get('config.json');
  const config = parseT5Config(JSON.parse(typeof configText === 'string' ? configText : new TextDecoder().decode(configText)));
  const random = seededRandom(11);
  const values = (n: number) => Float32Array.from({ length: n }, () => (random() - 0.5) * 0.2);
  const tensors = new Map<string, TensorToWrite>();
  for (const s of t5ParameterSpecs(config)) {
    if (s.kind !== 'linear' || !/\.(q|v)\.weight$/.test(s.name)) continue;
    const path = s.name.slice(0, -'.weight'.length);
    const [out, inp] = s.shape;
    tensors.set(`base_model.model.${path}.lora_A.weight`, { dtype: 'F32', shape: [R, inp], data: values(R * inp) });
    tensors.set(`base_model.model.${path}.lora_B.weight`, { dtype: 'F32', shape: [out, R], data: values(out * R) });
  }
  const adapterConfig = {
    peft_type: 'LORA', task_type: 'SEQ_2_SEQ_LM', base_model_name_or_path: ID, r: R, lora_alpha: ALPHA, lora_dropout: 0.05,
    target_modules: ['q', 'v'], use_rslora: false, bias: 'none', fan_in_fan_out: false, inference_mode: true,
  };
  return zipSync({
    'qv-adapter/adapter_config.json': new TextEncoder().encode(JSON.stringify(adapterConfig)),
    'qv-adapter/adapter_model.safetensors': serializeSafetensors(tensors),
  });
}

test('import an adapter zip, press "Continue training", and a run trains it to the end', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  const hub = await startTinyHub(ID, CHECKPOINT);
  try {
    await page.goto('/');
    await expect(page.getByTestId('gpu-status')).toHaveAttribute('data-status', 'ready');
    await loadHubModel(page, hub, ID);
    const nav = page.getByRole('navigation', { name: 'Studio' });

    // ---- Export page: import the zip, then "Continue training" ----
    await nav.getByRole('button', { name: 'Export' }).click();
    await page.getByLabel('Adapter zip').setInputFiles({ name: 'qv-adapter.zip', mimeType: 'application/zip', buffer: Buffer.from(adapterZip()) });
    const imported = page.getByTestId('imported-adapter').filter({ hasText: 'qv-adapter' });
    await expect(imported).toContainText(`r ${R}, alpha ${ALPHA}`);
    await imported.getByRole('button', { name: 'Continue training' }).click();

    // ---- Train page: the adapter is chosen and its settings locked ----
    const train = page.getByTestId('page-train');
    await expect(train).toBeVisible();
    const start = train.getByLabel('Start from adapter');
    await expect(start.locator('option:checked')).toHaveText(/qv-adapter/);
    await expect(train.getByLabel('Method')).toHaveValue('lora');
    await expect(train.getByLabel('Rank')).toHaveValue(String(R));
    await expect(train.getByLabel('Rank')).toBeDisabled();
    await expect(train.getByLabel('Alpha')).toHaveValue(String(ALPHA));
    await expect(train.getByLabel('Alpha')).toBeDisabled();
    await expect(train.getByTestId('start-adapter-note')).toContainText('qv-adapter');
    await expect(train.getByLabel('Base model')).toHaveValue(`hub:${ID}`);
    // The adapter's whole name shows at a narrow window too (the select spans two columns).
    await page.setViewportSize({ width: 1024, height: 900 });
    await expect(start).toHaveAttribute('title', /qv-adapter \(r \d+, alpha \d+\)/);
    await train.getByTestId('start-adapter-note').scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'test-results/train-page-start-adapter-1024.png' });

    await train.getByRole('radio', { name: 'All but rejected rows' }).check();
    await train.getByLabel('Use only the first').fill('8');
    await train.getByLabel('Learning rate').fill('0.01');
    await train.getByLabel('Batch size').fill('4');
    await train.getByLabel('Epochs').fill('1');
    await train.getByLabel('Max steps').fill('2');
    await train.getByText('More settings').click();
    await train.getByLabel('Max input length').fill('32');
    await train.getByLabel('Max target length').fill('32');
    await train.getByLabel('Run name').fill('continued qv');
    await train.getByRole('button', { name: 'Start training' }).click();

    const view = train.getByTestId('run-view');
    await expect(view).toHaveAttribute('data-status', 'done', { timeout: 400_000 });
    await expect(view.getByRole('heading', { name: 'continued qv' })).toBeVisible();
    await expect(view.getByTestId('run-started-from')).toContainText('adapter qv-adapter');
    await expect(view).toContainText(`LoRA r${R} α${ALPHA}`);
    await expect(view).toContainText('q, v');

    // Back to a fresh adapter: the LoRA fields can be edited again.
    await start.selectOption('');
    await expect(train.getByLabel('Rank')).toBeEnabled();
    expect(problems).toEqual([]);
  } finally {
    await hub.close();
  }
});
