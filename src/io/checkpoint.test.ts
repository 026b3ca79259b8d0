import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderSource } from '../hosts/node/fs-source';
import { createTextTokenizer } from '../model/tokenizer';
import { filesFromDrop } from '../hosts/browser/dropped-files';
import { browserFilesSource } from './browser-files-source';
import { type LoadProgress, loadCheckpoint, memoryCheckpointSource } from './checkpoint';
import { makeTinyT5, tinyT5Config, tinyT5Weights, TINY_T5_DEFAULTS } from './tiny-t5';

const FIXTURES = join(import.meta.dirname, '../../fixtures/tiny-t5');
const QUESTION = 'How many sales in Europe?';

describe('loadCheckpoint on the committed fixtures', () => {
  for (const [folder, tied, gated] of [['tied-relu', true, false], ['untied-gated', false, true]] as const) {
    it(`loads ${folder} from a Node folder and round-trips its tokenizer`, async () => {
      const progress: LoadProgress[] = [];
      const ckpt = await loadCheckpoint(folderSource(join(FIXTURES, folder)), (p) => progress.push(p));
      expect(ckpt.config.tie_word_embeddings).toBe(tied);
      expect(ckpt.config.feed_forward_proj).toBe(gated ? 'gated-gelu' : 'relu');
      expect(ckpt.specs.some((s) => s.name === 'lm_head.weight')).toBe(!tied);
      expect(progress.map((p) => `${p.stage}:${p.done}/${p.total}`)).toEqual(['config:1/3', 'tokenizer:2/3', 'weights:3/3']);
      let count = 0;
      for await (const { spec, data } of ckpt.tensors()) {
        expect(data.length).toBe(spec.shape.reduce((a, b) => a * b, 1));
        if (spec.kind === 'norm') expect(data.every((v) => v === 1)).toBe(true);
        count++;
      }
      expect(count).toBe(ckpt.specs.length);
      const tok = createTextTokenizer(ckpt.tokenizerJson, ckpt.tokenizerConfig);
      const ids = tok.encode(QUESTION);
      expect(ids[ids.length - 1]).toBe(1);
      expect(ids.every((id) => id >= 0 && id < ckpt.config.vocab_size && id !== tok.unkId)).toBe(true);
      expect(tok.decode(ids)).toBe(QUESTION);
    });
  }

  it('reads the same values as the generator wrote (seeded, f32)', async () => {
    const ckpt = await loadCheckpoint(folderSource(join(FIXTURES, 'untied-gated')));
    const opts = { ...TINY_T5_DEFAULTS, dModel: 32, dFf: 64, heads: 2, dKv: 8, vocab: 128, layers: 2, decoderLayers: 2, seed: 2 };
    const want = tinyT5Weights(tinyT5Config(opts), 2);
    expect(await ckpt.readTensor('decoder.block.1.layer.1.EncDecAttention.o.weight')).toEqual(want.get('decoder.block.1.layer.1.EncDecAttention.o.weight'));
  });
});

describe('loadCheckpoint formats and errors', () => {
  const small = { dModel: 8, dFf: 12, heads: 2, dKv: 3, vocab: 90, layers: 1, decoderLayers: 2 };
  it('reads sharded F16 and BF16 checkpoints to the values torch rounding gives', async () => {
    const ref = await loadCheckpoint(memoryCheckpointSource(makeTinyT5({ ...small, seed: 3 })));
    for (const dtype of ['f16', 'bf16'] as const) {
      const ckpt = await loadCheckpoint(memoryCheckpointSource(makeTinyT5({ ...small, seed: 3, dtype, shards: 3 })));
      expect(ckpt.dtypeOf('shared.weight')).toBe(dtype === 'f16' ? 'F16' : 'BF16');
      const a = await ckpt.readTensor('encoder.block.0.layer.1.DenseReluDense.wi_0.weight');
      const b = await ref.readTensor('encoder.block.0.layer.1.DenseReluDense.wi_0.weight');
      const tol = dtype === 'f16' ? 2 ** -11 : 2 ** -8; // half an ulp, relative
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(Math.abs(b[i]) * tol + 1e-7);
    }
  });

  it('refuses pytorch_model.bin, naming the folder and asking for safetensors', async () => {
    const files = makeTinyT5(small);
    files.delete('model.safetensors');
    files.set('pytorch_model.bin', new Uint8Array(4));
    await expect(loadCheckpoint(memoryCheckpointSource(files, 'my/folder'))).rejects.toThrow(/my\/folder: has pytorch_model\.bin but no model\.safetensors\. Stepwise only reads safetensors/);
  });

  it('names missing files, a broken index and mismatched tensors', async () => {
    const noConfig = makeTinyT5(small);
    noConfig.delete('config.json');
    await expect(loadCheckpoint(memoryCheckpointSource(noConfig, 'dir'))).rejects.toThrow('dir: no config.json');
    const sharded = makeTinyT5({ ...small, shards: 2 });
    sharded.delete('model-00002-of-00002.safetensors');
    await expect(loadCheckpoint(memoryCheckpointSource(sharded, 'dir'))).rejects.toThrow(/names model-00002-of-00002\.safetensors, which is not in the folder/);
    const wrong = makeTinyT5(small);
    wrong.set('config.json', JSON.stringify({ ...JSON.parse(wrong.get('config.json') as string), d_ff: 16 }));
    await expect(loadCheckpoint(memoryCheckpointSource(wrong, 'dir'))).rejects.toThrow(/dir: tensors do not match config\.json[^]*wrong shape \(9\): encoder\.block\.0\.layer\.1\.DenseReluDense\.wi_0\.weight: expected \[16, 8\], found \[12, 8\]/);
  });
});

describe('memoryCheckpointSource', () => {
  it('rejects reads outside a file, naming it', async () => {
    const file = await memoryCheckpointSource(new Map([['a.bin', Uint8Array.from([1, 2, 3])]]), 'mem').open('a.bin');
    expect([...(await file.read(1, 2))]).toEqual([2, 3]);
    await expect(file.read(2, 2)).rejects.toThrow('mem/a.bin: read of 2 bytes at offset 2 is outside the file (3 bytes)');
  });
});

describe('browserFilesSource', () => {
  it('loads a picked folder of File objects with relative paths', async () => {
    const files = [...makeTinyT5({ dModel: 8, dFf: 12, heads: 2, dKv: 4, vocab: 90, layers: 1 })].map(([name, data]) => {
      const f = new File([data as BlobPart], name);
      Object.defineProperty(f, 'webkitRelativePath', { value: `tiny/${name}` });
      return f;
    });
    files.push(Object.defineProperty(new File(['x'], 'notes.txt'), 'webkitRelativePath', { value: 'tiny/sub/notes.txt' }));
    const source = browserFilesSource(files);
    expect(source.label).toBe('tiny');
    expect((await source.list()).sort()).toEqual(['config.json', 'model.safetensors', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json']);
    const ckpt = await loadCheckpoint(source);
    expect((await ckpt.readTensor('shared.weight')).length).toBe(90 * 8);
  });
});

describe('folderSource', () => {
  it('says which folder cannot be read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'h8-'));
    writeFileSync(join(dir, 'config.json'), '{}');
    await expect(loadCheckpoint(folderSource(join(dir, 'nope')))).rejects.toThrow(/nope: cannot read the checkpoint folder/);
    await expect(loadCheckpoint(folderSource(dir))).rejects.toThrow(/no model\.safetensors or model\.safetensors\.index\.json \(files: config\.json\)/);
  });
});

describe('filesFromDrop', () => {
  it('walks a dropped folder in batches and loads it', async () => {
    const files = [...makeTinyT5({ dModel: 8, dFf: 12, heads: 2, dKv: 4, vocab: 90, layers: 1 })];
    const fileEntry = (name: string, data: Uint8Array | string) => ({
      isFile: true, isDirectory: false, name, file: (ok: (f: File) => void) => ok(new File([data as BlobPart], name)),
    });
    const batches = [files.slice(0, 3).map(([n, d]) => fileEntry(n, d)), files.slice(3).map(([n, d]) => fileEntry(n, d)), []];
    const dir = {
      isFile: false, isDirectory: true, name: 'flan-tiny',
      createReader: () => ({ readEntries: (ok: (e: ReturnType<typeof fileEntry>[]) => void) => ok(batches.shift() ?? []) }),
    };
    const dropped = await filesFromDrop([dir]);
    expect(dropped.map((f) => f.path).sort()).toEqual(files.map(([n]) => `flan-tiny/${n}`).sort());
    const source = browserFilesSource(dropped);
    expect(source.label).toBe('flan-tiny');
    expect((await loadCheckpoint(source)).config.d_model).toBe(8);
    expect(() => browserFilesSource([...dropped, { file: new File(['x'], 'a'), path: 'other/a' }])).toThrow(/several folders \(flan-tiny, other\)/);
  });
});
