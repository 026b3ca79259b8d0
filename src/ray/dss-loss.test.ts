// stepwise_dss.py's loss (issue 12) against Stepwise's own: the bundle's first training batch, scored by dss_loss
// with the repository's PyTorch T5 (tools/t5_reference.py, float64) standing in for Transformers (a wrapper whose
// __call__(**batch) returns .logits), equals the DSS loss the WebGPU engine computes on the same checkpoint and
// batch (the grads command, dropout off), rel 1e-5: with the rationale task (a = 0.3) and label-only (a = 1).
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gradsCommand } from '../cli/grads';
import { testGpu } from '../testing/gpu';
import { hasTorch } from '../testing/python';
import { exportBundle, makeRayFixture, python } from './ray-bundle.testing';

const SCORE = `
import json, sys
from types import SimpleNamespace
bundle, model_dir, a, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
sys.path[:0] = [bundle, "tools"]
import stepwise_dss as dss
import t5_reference

ref = t5_reference.load_model(model_dir)

class Seq2Seq:
    """Transformers' calling convention over the reference: model(**batch).logits."""
    def __call__(self, input_ids, attention_mask, labels):
        enc = ref.encode(input_ids, attention_mask)
        return SimpleNamespace(logits=ref.decode(ref.shift_right(labels), enc, attention_mask))

rows = [json.loads(l) for l in open(bundle + "/data/train.jsonl")]
config = json.load(open(bundle + "/run.json"))
label, rationale = dss.build_batches(rows, None, config)[0]
task = lambda b: {k: v.tolist() for k, v in b.items()}
json.dump({"alpha": a, "label": task(label), **({"rationale": task(rationale)} if a < 1 else {})}, open(out, "w"))
loss = dss.dss_loss(Seq2Seq(), label, rationale, a)
print(json.dumps({k: None if v is None else float(v) for k, v in loss.items()}))
`;

afterAll(() => {
  if (!hasTorch) console.warn('python3-torch missing (/usr/bin/python3 -c "import torch" failed): the stepwise_dss.py loss check was skipped');
});

describe.runIf(hasTorch)('stepwise_dss.py loss', () => {
  it('equals Stepwise\'s own DSS loss on the same checkpoint and batch, with and without the rationale task', async () => {
    // Dropout 0, as the grads command runs. A row without a rationale sits in the rationale batch as all -100.
    const f = makeRayFixture({ method: 'full', seed: 3, batchSize: 4, dropoutRate: 0, maxInputLength: 16, maxTargetLength: 14 });
    const bundle = await exportBundle(f, 'bundle');
    const gpu = await testGpu();
    for (const a of [0.3, 1]) {
      const batchPath = join(f.root, `batch-${a}.json`);
      const torch = python(SCORE, [bundle, f.model, String(a), batchPath]) as { total: number; label: number; rationale: number | null };
      const ours = await gradsCommand(gpu, f.model, batchPath);
      const rel = (x: number, y: number) => Math.abs(x - y) / Math.abs(y);
      expect(rel(ours.loss_label, torch.label), `label loss, a = ${a}`).toBeLessThan(1e-5);
      expect(rel(ours.loss_total, torch.total), `total loss, a = ${a}`).toBeLessThan(1e-5);
      if (a < 1) expect(rel(ours.loss_rationale!, torch.rationale!), 'rationale loss').toBeLessThan(1e-5);
      else expect(torch.rationale).toBeNull();
    }
  });
});
