// What a start adapter may be, checked before anything is on the GPU: the run's LoRA settings come from its
// adapter_config.json and its tensors, a setting that contradicts it is refused by field, and adapters a run cannot
// rebuild on resume (one stack only, rank_pattern) or that do not fit the base are refused naming the key.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serializeSafetensors, type TensorToWrite } from '../io/safetensors';
import { parseT5Config } from '../model/config';
import { linearModules } from '../model/lora';
import { FIXTURES } from '../testing/checkpoint';
import { readStartAdapter, startAdapterConfig } from './start-adapter';

const BASE = parseT5Config(JSON.parse(readFileSync(join(FIXTURES, 'tiny-t5/untied-gated/config.json'), 'utf8')));

/** Adapter files with A (r, in) and B (out, r) on the modules `pick` keeps (values do not matter here). */
function adapter(pick: (path: string) => boolean, config: Record<string, unknown> = {}, r = 2, shapeOf?: (path: string, which: 'A' | 'B', shape: number[]) => number[]) {
  const tensors = new Map<string, TensorToWrite>();
  for (const m of linearModules(BASE).filter((x) => pick(x.path))) {
    for (const [which, shape] of [['A', [r, m.in]], ['B', [m.out, r]]] as const) {
      const s = shapeOf ? shapeOf(m.path, which, [...shape]) : [...shape];
      tensors.set(`base_model.model.${m.path}.lora_${which}.weight`, { dtype: 'F32', shape: s, data: new Float32Array(s[0] * s[1]) });
    }
  }
  const json = { peft_type: 'LORA', task_type: 'SEQ_2_SEQ_LM', r, lora_alpha: 8, lora_dropout: 0.1, target_modules: ['q', 'v'], use_rslora: true, ...config };
  return { label: 'qv', files: { 'adapter_config.json': JSON.stringify(json), 'adapter_model.safetensors': serializeSafetensors(tensors) } };
}

const qv = (p: string) => /\.(q|v)$/.test(p);

describe('start adapters', () => {
  it('give the run their LoRA settings, from the config and the tensors present', async () => {
    const info = await readStartAdapter(adapter(qv), BASE);
    expect(info.lora).toEqual({ rank: 2, alpha: 8, dropout: 0.1, targets: ['q', 'v'], rslora: true });
    expect(info.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(info.tokenizer).toBeNull();
    // A target_modules regex is fine: the tensors say which modules are adapted.
    expect((await readStartAdapter(adapter(qv, { target_modules: '.*\\.(q|v)' }), BASE)).lora.targets).toEqual(['q', 'v']);
    expect(startAdapterConfig({ lr: 1e-3 }, info)).toMatchObject({ lr: 1e-3, method: 'lora', lora: info.lora });
    expect(startAdapterConfig({ method: 'qlora', lora: { rank: 2, rslora: true } as never }, info).method).toBe('qlora');
  });

  it('refuse a run setting that contradicts them, naming the field and both values', async () => {
    const info = await readStartAdapter(adapter(qv), BASE);
    expect(() => startAdapterConfig({ lora: { rank: 8 } as never }, info)).toThrow(/^rank 8 differs from the adapter's r 2/);
    expect(() => startAdapterConfig({ lora: { dropout: 0 } as never }, info)).toThrow(/^LoRA dropout 0 differs from the adapter's lora_dropout 0\.1/);
    expect(() => startAdapterConfig({ lora: { rslora: false } as never }, info)).toThrow(/^rsLoRA false differs from the adapter's use_rslora true/);
    expect(() => startAdapterConfig({ lora: { targets: ['q', 'k', 'v'] } as never }, info)).toThrow(/^targets q,k,v differs from the adapter's target modules q,v/);
    expect(() => startAdapterConfig({ method: 'full' }, info)).toThrow(/^method full cannot continue adapter qv/);
  });

  it('refuse adapters a run cannot rebuild or that do not fit the base', async () => {
    await expect(readStartAdapter(adapter((p) => qv(p) && p.startsWith('encoder.')), BASE)).rejects.toThrow(/adapter qv adapts \d+ modules, not every q, v module of both stacks/);
    const q0 = linearModules(BASE).find((m) => m.path.endsWith('.q'))!.path;
    await expect(readStartAdapter(adapter(qv, { rank_pattern: { [q0]: 4 } }), BASE)).rejects.toThrow(/has r 4, lora_alpha 8 \(rank_pattern \/ alpha_pattern\)/);
    const wrong = adapter(qv, {}, 2, (path, which, shape) => (path === q0 && which === 'A' ? [2, shape[1] + 1] : shape));
    await expect(readStartAdapter(wrong, BASE)).rejects.toThrow(new RegExp(`qv/adapter_model\\.safetensors: base_model\\.model\\.${q0.replace(/\./g, '\\.')}\\.lora_A\\.weight has shape \\[2, \\d+\\]`));
    const files = adapter(qv).files;
    await expect(readStartAdapter({ label: 'bin', files: { 'adapter_config.json': files['adapter_config.json'] } }, BASE)).rejects.toThrow(/adapter bin: no adapter_model\.safetensors/);
    await expect(readStartAdapter({ label: 'dora', files: { ...files, 'adapter_config.json': JSON.stringify({ peft_type: 'LORA', r: 2, use_dora: true }) } }, BASE)).rejects.toThrow(/use_dora is true/);
  });
});
