// PEFT adapters in and out: export -> import gives identical outputs, the files are PEFT's, merged export gives the
// logits of base + adapter, and import refuses a mismatched shape or unknown key naming the key.
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { attachLora, detachLora } from '../model/lora';
import { attachTrainableTokens, TOKEN_ROWS_KEY } from '../model/trainable-tokens';
import { GOLDEN_LORA, goldenAdapterSource, goldenBatch, harness, labelLogits, tinyModel } from '../model/lora.testing';
import { loadT5 } from '../model/t5-model';
import { FIXTURES, tensorMismatch } from '../testing/checkpoint';
import { testGpu } from '../testing/gpu';
import { loadCheckpoint, memoryCheckpointSource } from './checkpoint';
import { exportAdapter, importAdapter, zipFiles, type FileMap } from './peft';
import { mergedWeightReader, mergedWeights } from '../model/merge';
import { fileCollector, writeExport } from './export-stream';
import { mergedCheckpointFiles } from './merged-checkpoint';
import { peftConfigFor } from './peft-config';
import { memorySource } from './byte-source';
import { hubSource } from './hub';
import { readSafetensorsHeader, readTensorF32, serializeSafetensors, type TensorToWrite } from './safetensors';

const CARD = { title: 'tiny LoRA', data: 'golden batch', method: 'DSS, alpha 0.5', metrics: { eval_loss: 1.25 }, metricsOn: 'the golden batch' };

function goldenFiles(name: string): FileMap {
  const dir = `${GOLDEN_LORA}${name}/adapter/`;
  return new Map<string, Uint8Array | string>([
    ['adapter_config.json', readFileSync(`${dir}adapter_config.json`, 'utf8')],
    ['adapter_model.safetensors', new Uint8Array(readFileSync(`${dir}adapter_model.safetensors`))],
  ]);
}

async function tensorsOf(bytes: Uint8Array): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
  const src = memorySource(bytes);
  const header = await readSafetensorsHeader(src, 'adapter');
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [n, info] of header.tensors) out.set(n, { shape: info.shape, data: await readTensorF32(src, header, n) });
  return out;
}

/** The golden adapter with one tensor replaced (or added). */
async function tampered(name: string, key: string, t: TensorToWrite | null, configEdit?: (c: Record<string, unknown>) => void): Promise<FileMap> {
  const files = goldenFiles(name);
  const tensors = new Map<string, TensorToWrite>();
  for (const [n, v] of await tensorsOf(files.get('adapter_model.safetensors') as Uint8Array)) tensors.set(n, { dtype: 'F32', shape: v.shape, data: v.data });
  if (t) tensors.set(key, t);
  else tensors.delete(key);
  files.set('adapter_model.safetensors', serializeSafetensors(tensors));
  if (configEdit) {
    const c = JSON.parse(files.get('adapter_config.json') as string);
    configEdit(c);
    files.set('adapter_config.json', JSON.stringify(c));
  }
  return files;
}

describe('PEFT adapter export and import', () => {
  it('export -> import gives identical logits; the files are PEFT LoRA files', async () => {
    const gpu = await testGpu();
    const batch = goldenBatch('tied-relu-qv');
    const a = await harness(await tinyModel('tied-relu'));
    await importAdapter(gpu, a.model, goldenAdapterSource('tied-relu-qv'), { trainable: false });
    const want = await labelLogits(a, batch);
    const files = await exportAdapter(gpu, a.model, { baseModel: 'fixtures/tiny-t5/tied-relu', card: CARD });
    a.free();

    const config = JSON.parse(files.get('adapter_config.json') as string);
    expect(config).toMatchObject({
      peft_type: 'LORA', task_type: 'SEQ_2_SEQ_LM', base_model_name_or_path: 'fixtures/tiny-t5/tied-relu', r: 2, lora_alpha: 4,
      lora_dropout: 0.05, target_modules: ['q', 'v'], use_rslora: true, bias: 'none', fan_in_fan_out: false, inference_mode: true,
    });
    // the same tensors under the same PEFT keys as the golden adapter written by PyTorch
    const mine = await tensorsOf(files.get('adapter_model.safetensors') as Uint8Array);
    const golden = await tensorsOf(goldenFiles('tied-relu-qv').get('adapter_model.safetensors') as Uint8Array);
    expect([...mine.keys()].sort()).toEqual([...golden.keys()].sort());
    for (const [k, v] of golden) {
      expect(mine.get(k)!.shape).toEqual(v.shape);
      expect(mine.get(k)!.data).toEqual(v.data);
    }
    const readme = files.get('README.md') as string;
    expect(readme).toContain('base_model: "fixtures/tiny-t5/tied-relu"');
    expect(readme).toMatch(/## Data[\s\S]*## Method[\s\S]*## Metrics/);
    expect(readme).toContain('| eval_loss | 1.25 |');

    const zip = unzipSync(zipFiles(files, 'adapter'));
    expect(Object.keys(zip).sort()).toEqual(['adapter/README.md', 'adapter/adapter_config.json', 'adapter/adapter_model.safetensors']);

    const b = await harness(await tinyModel('tied-relu'));
    await importAdapter(gpu, b.model, new Map(Object.entries(zip).map(([k, v]) => [k.slice('adapter/'.length), v])), { trainable: true });
    expect(await labelLogits(b, batch)).toEqual(want);
    b.free();
  });

  it('imports from a hub id (files listed by the hub API, fetched, no network: injected fetch)', async () => {
    const gpu = await testGpu();
    const files = goldenFiles('tied-relu-qv');
    const requested: string[] = [];
    const fetch = (async (input: RequestInfo | URL) => {
      const url = String(input);
      requested.push(url);
      if (url === 'https://hub.test/api/models/me/tiny-lora/revision/main') {
        return new Response(JSON.stringify({ siblings: [...files.keys()].map((rfilename) => ({ rfilename })) }));
      }
      const file = url.match(/^https:\/\/hub\.test\/me\/tiny-lora\/resolve\/main\/(.+)$/)?.[1];
      const data = file ? files.get(file) : undefined;
      return data === undefined ? new Response('', { status: 404 }) : new Response(typeof data === 'string' ? data : new Blob([data as Uint8Array<ArrayBuffer>]));
    }) as typeof globalThis.fetch;
    const model = await tinyModel('tied-relu');
    const { adapters, config } = await importAdapter(gpu, model, hubSource('me/tiny-lora', { baseUrl: 'https://hub.test', fetch }), { trainable: false });
    expect(adapters.length).toBe(12);
    expect(config.rslora).toBe(true);
    expect(requested.some((u) => u.endsWith('/adapter_model.safetensors'))).toBe(true);
    model.params.free();
  });

  it('target_modules: a list for both stacks, a regex for one stack', async () => {
    const gpu = await testGpu();
    const model = await tinyModel('untied-gated');
    attachLora(gpu, model, { targets: ['q', 'o'], stacks: ['decoder'], r: 2, alpha: 4 });
    const files = await exportAdapter(gpu, model, { baseModel: 'x' });
    const tm = JSON.parse(files.get('adapter_config.json') as string).target_modules;
    expect(tm).toBe('decoder\\..*\\.(o|q)');
    const re = new RegExp(`^(?:${tm})$`);
    const adapted = [...model.params.adapters.keys()];
    const linears = [...model.params.params.values()].filter((p) => p.kind === 'linear').map((p) => p.name.slice(0, -7));
    expect(linears.filter((p) => re.test(p))).toEqual(adapted);
    detachLora(gpu, model);
    attachLora(gpu, model, { targets: 'all-linear', r: 2, alpha: 4 });
    const all = JSON.parse((await exportAdapter(gpu, model, { baseModel: 'x' })).get('adapter_config.json') as string);
    expect(all.target_modules).toEqual(['k', 'o', 'q', 'v', 'wi_0', 'wi_1', 'wo']);
    model.params.free();
  });

  it('refuses mismatched shapes, unknown keys, a lone A and unsupported configs, naming the key; the model is untouched', async () => {
    const gpu = await testGpu();
    const model = await tinyModel('tied-relu');
    const key = 'base_model.model.encoder.block.0.layer.0.SelfAttention.q.lora_A.weight';
    const refuse = async (files: FileMap, message: RegExp) => {
      await expect(importAdapter(gpu, model, files, { trainable: true })).rejects.toThrow(message);
      expect(model.params.adapters.size).toBe(0);
    };
    await refuse(await tampered('tied-relu-qv', key, { dtype: 'F32', shape: [2, 16], data: new Float32Array(32) }), new RegExp(`${key.replace(/\./g, '\\.')} has shape \\[2, 16\\].*needs \\[2, 32\\]`));
    const unknown = 'base_model.model.encoder.block.0.layer.0.SelfAttention.q.lora_embedding_A';
    await refuse(await tampered('tied-relu-qv', unknown, { dtype: 'F32', shape: [2], data: new Float32Array(2) }), new RegExp(`unknown key ${unknown.replace(/\./g, '\\.')}`));
    const noModule = 'base_model.model.encoder.block.7.layer.0.SelfAttention.q.lora_A.weight';
    await refuse(await tampered('tied-relu-qv', noModule, { dtype: 'F32', shape: [2, 32], data: new Float32Array(64) }), /unknown key .*block\.7.*no linear module/);
    await refuse(await tampered('tied-relu-qv', key.replace('lora_A', 'lora_B'), null), /SelfAttention\.q\.lora_A\.weight has no matching .*lora_B\.weight/);
    await refuse(await tampered('tied-relu-qv', 'none', null, (c) => (c.use_dora = true)), /use_dora/);
    await refuse(await tampered('tied-relu-qv', 'none', null, (c) => (c.bias = 'all')), /bias is "all"/);
    await refuse(await tampered('tied-relu-qv', 'none', null, (c) => (c.peft_type = 'IA3')), /peft_type is "IA3"/);
    await refuse(await tampered('tied-relu-qv', 'none', null, (c) => (c.r = 3)), /needs \[3, 32\]/);
    // the other base model (gated, different head count) does not match this adapter
    const other = await tinyModel('untied-gated');
    await expect(importAdapter(gpu, other, goldenAdapterSource('tied-relu-qv'), { trainable: false })).rejects.toThrow(/lora_[AB]\.weight has shape/);
    other.params.free();
    model.params.free();
  });
});

describe('trainable token rows and rsLoRA in adapter files', () => {
  for (const [name, checkpoint] of [['untied-gated-all', 'untied-gated'], ['tied-relu-qv', 'tied-relu']] as const) {
    it(`${checkpoint}: rows go out under PEFT's keys with trainable_token_indices and come back with identical logits`, async () => {
      const gpu = await testGpu();
      const batch = goldenBatch(name);
      const a = await harness(await tinyModel(checkpoint));
      await importAdapter(gpu, a.model, goldenAdapterSource(name), { trainable: true });
      const C = a.model.dims.C;
      const K = 2;
      const shared = Float32Array.from({ length: K * C }, (_, i) => Math.sin(i));
      const lmHead = a.model.dims.tied ? null : Float32Array.from({ length: K * C }, (_, i) => Math.cos(i));
      await attachTrainableTokens(gpu, a.model, [27, 20], { trainable: true, rows: { shared, lmHead } });
      const want = await labelLogits(a, batch);
      const files = await exportAdapter(gpu, a.model, { baseModel: checkpoint });
      a.free();
      const config = JSON.parse(files.get('adapter_config.json') as string);
      expect(config.trainable_token_indices).toEqual(lmHead ? { shared: [20, 27], lm_head: [20, 27] } : [20, 27]);
      const tensors = await tensorsOf(files.get('adapter_model.safetensors') as Uint8Array);
      expect(tensors.get(TOKEN_ROWS_KEY.shared)).toEqual({ shape: [K, C], data: shared });
      if (lmHead) expect(tensors.get(TOKEN_ROWS_KEY.lmHead)).toEqual({ shape: [K, C], data: lmHead });
      else expect(tensors.has(TOKEN_ROWS_KEY.lmHead)).toBe(false);

      const b = await harness(await tinyModel(checkpoint));
      await importAdapter(gpu, b.model, files, { trainable: false });
      expect(b.model.params.tokens?.ids).toEqual([20, 27]);
      expect(await labelLogits(b, batch)).toEqual(want);
      // The base without the adapter gives other logits: the rows and adapters did something.
      detachLora(gpu, b.model);
      expect(await labelLogits(b, batch)).not.toEqual(want);
      b.free();
    });
  }

  it('refuses token rows that do not fit the config or the model, naming the key', async () => {
    const gpu = await testGpu();
    const model = await tinyModel('tied-relu');
    const C = model.dims.C;
    const rows = (k: number) => ({ dtype: 'F32' as const, shape: [k, C], data: new Float32Array(k * C) });
    const refuse = async (files: FileMap, message: RegExp) => {
      await expect(importAdapter(gpu, model, files, { trainable: true })).rejects.toThrow(message);
      expect(model.params.adapters.size).toBe(0);
      expect(model.params.tokens).toBeNull();
    };
    await refuse(await tampered('tied-relu-qv', TOKEN_ROWS_KEY.shared, rows(2)), /trainable_tokens_delta is present, but adapter_config.json has no trainable_token_indices/);
    await refuse(await tampered('tied-relu-qv', TOKEN_ROWS_KEY.shared, rows(2), (c) => (c.trainable_token_indices = [5, 6, 7])), /has shape \[2, 32\], but 3 token ids .* need \[3, 32\]/);
    await refuse(await tampered('tied-relu-qv', 'none', null, (c) => (c.trainable_token_indices = [5])), /lists 1 tokens, but base_model\.model\.shared\.token_adapter\.trainable_tokens_delta is missing/);
    await refuse(await tampered('tied-relu-qv', TOKEN_ROWS_KEY.shared, rows(1), (c) => (c.trainable_token_indices = { shared: [5], lm_head: [5] })), /names lm_head, but the base model ties lm_head/);
    await refuse(await tampered('tied-relu-qv', 'none', null, (c) => (c.trainable_token_indices = { 'model.wte': [5] })), /trainable_token_indices\["model\.wte"\]/);
    await refuse(await tampered('tied-relu-qv', 'none', null, (c) => (c.trainable_token_indices = { shared: [5], lm_head: [6] })), /different ids for lm_head/);
    await refuse(await tampered('tied-relu-qv', 'none', null, (c) => (c.use_rslora = 'yes')), /"use_rslora" must be true or false/);
    model.params.free();
  });

  it('use_rslora is carried, not guessed: with r = 1 both scalings agree and the flag still round-trips', async () => {
    const gpu = await testGpu();
    const model = await tinyModel('tied-relu');
    for (const rslora of [true, false]) {
      attachLora(gpu, model, { targets: ['q'], r: 1, alpha: 4, rslora });
      const files = await exportAdapter(gpu, model, { baseModel: 'x' });
      const text = files.get('adapter_config.json') as string;
      expect(JSON.parse(text).use_rslora).toBe(rslora);
      detachLora(gpu, model);
      const { adapters } = await importAdapter(gpu, model, files, { trainable: false });
      expect(adapters.every((a) => a.rslora === rslora && a.scaling === 4)).toBe(true);
      expect((await exportAdapter(gpu, model, { baseModel: 'x' })).get('adapter_config.json')).toBe(text);
      detachLora(gpu, model);
    }
    model.params.free();
  });
});

describe('merged export', () => {
  for (const [name, checkpoint, qlora] of [['untied-gated-all', 'untied-gated', false], ['tied-relu-qv', 'tied-relu', true]] as const) {
    it(`${name}${qlora ? ' on an NF4 base' : ''}: the merged checkpoint's logits equal base + adapter (1e-4)`, async () => {
      const gpu = await testGpu();
      const batch = goldenBatch(name);
      const a = await harness(await tinyModel(checkpoint, qlora ? {} : undefined));
      await importAdapter(gpu, a.model, goldenAdapterSource(name), { trainable: false });
      const want = await labelLogits(a, batch);
      const tokenizerJson = readFileSync(`${FIXTURES}tiny-t5/${checkpoint}/tokenizer.json`, 'utf8');
      // Streamed one weight at a time, model.safetensors is byte for byte the file serialized from all the weights.
      const weights = await mergedWeights(gpu, a.model);
      const whole = serializeSafetensors(new Map([...weights].map(([n, data]) => [n, { dtype: 'F32' as const, shape: [...a.model.params.get(n).shape], data }])));
      const collected = fileCollector();
      let largest = 0;
      await writeExport(mergedCheckpointFiles(a.model.config, mergedWeightReader(gpu, a.model), { tokenizerJson, card: CARD, adapter: peftConfigFor(a.model, checkpoint) }), (c) => {
        if (c.file === 'model.safetensors' && c.offset > 0) largest = Math.max(largest, c.bytes.byteLength);
        return collected.sink(c);
      });
      const files = collected.files();
      a.free();
      expect(Buffer.compare(files.get('model.safetensors') as Uint8Array, whole)).toBe(0);
      // After its header, model.safetensors is handed over one weight at a time, never as the whole file.
      expect(largest).toBe(Math.max(...[...weights.values()].map((w) => w.byteLength)));
      expect([...files.keys()].sort()).toEqual(['README.md', 'config.json', 'model.safetensors', 'tokenizer.json']);
      const ckpt = await loadCheckpoint(memoryCheckpointSource(files, 'merged'));
      expect(ckpt.config).toEqual(a.model.config);
      const merged = await loadT5(gpu, ckpt.config, (n) => ckpt.readTensor(n), { trainBase: false });
      expect(merged.params.adapters.size).toBe(0);
      const b = await harness(merged);
      expect(tensorMismatch('merged logits', await labelLogits(b, batch), want, 1e-4)).toBeNull();
      b.free();
    });
  }
});
