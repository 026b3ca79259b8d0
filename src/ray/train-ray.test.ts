// train_ray.py's training loop against a Stepwise run (issue 12: the same loss, order, accumulation, clipping,
// schedule and evaluation). Ray, Transformers and PEFT are not installable here, so the loop runs with Ray Train's
// calls stubbed for one worker and the repository's PyTorch T5 (tools/t5_reference.py, float64) as the model; a full
// fine-tune with dropout off, shuffled data and 2 micro-batches per step must log the metrics the Stepwise CLI run
// logs, step for step (rel 1e-4), and report one checkpoint per epoch with the best adapter, state and metrics.jsonl;
// on one worker, on two (DistributedDataParallel over gloo on the CPU) sharing each step's micro-batches, and
// restarted from the first epoch's checkpoint as Ray's fault tolerance restarts it.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportRayCommand } from '../cli/export-ray';
import { trainCommand } from '../cli/train';
import type { EvalMetrics, MetricRow, StepMetrics } from '../engine/run-api';
import { hasTorch, PYTHON } from '../testing/python';
import { makeRayFixture } from './ray-bundle.testing';

const HARNESS = `
import contextlib, json, shutil, sys, tempfile, types
from pathlib import Path

import torch


def run(rank, workers, bundle, model_dir, out, init_file, resume):
    sys.path[:0] = [bundle, "tools"]
    torch.set_num_threads(1)
    if workers > 1:
        torch.distributed.init_process_group("gloo", init_method="file://" + init_file, rank=rank, world_size=workers)
    import t5_reference
    from st_io import read_safetensors, write_safetensors

    reports, saved = [], []

    class Checkpoint:
        def __init__(self, path):
            self.path = path

        @contextlib.contextmanager
        def as_directory(self):
            yield self.path

        @classmethod
        def from_directory(cls, path):
            keep = tempfile.mkdtemp()
            shutil.copytree(path, keep, dirs_exist_ok=True)
            return cls(keep)

    def report(metrics, checkpoint=None):
        reports.append(metrics)
        if checkpoint is not None:
            saved.append(checkpoint.path)

    def prepare_model(model, move_to_device=True):
        return torch.nn.parallel.DistributedDataParallel(model) if workers > 1 else model

    ray, train, ray_torch = types.ModuleType("ray"), types.ModuleType("ray.train"), types.ModuleType("ray.train.torch")
    train.get_context = lambda: types.SimpleNamespace(get_world_rank=lambda: rank, get_world_size=lambda: workers)
    train.report, train.get_checkpoint, train.Checkpoint = report, lambda: Checkpoint(resume) if resume else None, Checkpoint
    # safetensors for the full fine-tune's weights, through the repository's reader and writer.
    st, st_torch = types.ModuleType("safetensors"), types.ModuleType("safetensors.torch")
    st_torch.load_file = lambda path: dict(read_safetensors(path))
    st.torch = st_torch
    ray_torch.get_device, ray_torch.prepare_model = lambda: torch.device("cpu"), prepare_model
    ray.train, train.torch = train, ray_torch
    sys.modules.update({"ray": ray, "ray.train": train, "ray.train.torch": ray_torch, "safetensors": st, "safetensors.torch": st_torch})
    import train_ray

    class Reference(torch.nn.Module):
        """The reference T5 as a Hugging Face seq2seq model: model(**batch).logits, save_pretrained(folder)."""

        def __init__(self, ids):
            super().__init__()
            self.ref = t5_reference.load_model(model_dir)
            for name, t in list(self.ref.p.items()):
                p = torch.nn.Parameter(t.detach().clone())
                self.register_parameter(name.replace(".", "__"), p)
                self.ref.p[name] = p
            if ids:
                rows = ["shared.weight"] + ([] if self.ref.tied else ["lm_head.weight"])
                train_ray.start_added_rows_at_mean([self.ref.p[n] for n in rows], ids)

        def forward(self, input_ids, attention_mask, labels):
            enc = self.ref.encode(input_ids, attention_mask)
            return types.SimpleNamespace(logits=self.ref.decode(self.ref.shift_right(labels), enc, attention_mask))

        def save_pretrained(self, folder, safe_serialization=True):
            write_safetensors(folder + "/model.safetensors", {k: v.detach().float().numpy() for k, v in self.state_dict().items()})

    train_ray.build_model = lambda name, bundle, device: Reference(bundle["meta"]["added_token_ids"])
    loaded = train_ray.load_bundle(bundle)
    train_ray.train_loop({"bundle": loaded, "model": model_dir, "grad_accum": loaded["config"]["gradAccum"] // workers})
    if rank == 0:
        last = Path(saved[-1])
        Path(out).write_text(json.dumps({
            "reports": len(reports), "checkpoints": len(saved), "first": saved[0],
            "files": sorted(str(p.relative_to(last)) for p in last.rglob("*") if p.is_file()),
            "metrics": train_ray.read_jsonl(last / "metrics.jsonl"),
            "state": json.loads((last / "state.json").read_text()),
        }))


if __name__ == "__main__":
    bundle, model_dir, workers, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    args = (workers, bundle, model_dir, out, tempfile.mktemp(), sys.argv[5] if len(sys.argv) > 5 else None)
    if workers == 1:
        run(0, *args)
    else:
        torch.multiprocessing.spawn(run, args=args, nprocs=workers)
    print(Path(out).read_text())
`;

const rel = (x: number, y: number) => Math.abs(x - y) / Math.max(Math.abs(y), 1e-12);

describe.runIf(hasTorch)('train_ray.py training loop', () => {
  it('logs the same metrics as the Stepwise run it was exported from, step for step, on 1 worker, on 2 (DDP) and restarted from a checkpoint', async () => {
    const f = makeRayFixture({});
    const run = join(f.root, 'run');
    await trainCommand(['--model', f.model, '--data', f.data, '--out', run, '--method', 'full', '--dropout-rate', '0', '--seed', '7',
      '--eval-fraction', '0.3', '--batch-size', '3', '--grad-accum', '2', '--epochs', '2', '--lr', '2e-3', '--max-input-length', '9', '--max-target-length', '8']);
    const stepwise = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MetricRow);
    const bundle = join(f.root, 'bundle');
    await exportRayCommand(['--run', run, '--out', bundle]);
    writeFileSync(join(f.root, 'harness.py'), HARNESS);
    const record = JSON.parse(readFileSync(join(run, 'run.json'), 'utf8')) as { best: { step: number } };
    // 2 workers x 1 micro-batch = the run's 2 micro-batches per step; the epoch's last step leaves worker 1 idle.
    const loop = (workers: number, ...resume: string[]): Loop => {
      const r = spawnSync(PYTHON, [join(f.root, 'harness.py'), bundle, f.model, String(workers), join(f.root, `loop-${workers}.json`), ...resume], { encoding: 'utf8', timeout: 600_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as Loop;
    };
    const one = loop(1);
    compare(one, stepwise, record.best.step, '1 worker', 2);
    compare(loop(2), stepwise, record.best.step, '2 workers', 2);
    // A restart from the first epoch's checkpoint (Ray's fault tolerance) finishes the same run.
    compare(loop(1, one.first), stepwise, record.best.step, 'resumed', 1);
  });
});

interface Loop {
  reports: number;
  checkpoints: number;
  first: string;
  files: string[];
  metrics: MetricRow[];
  state: { best: { step: number } };
}

function compare(got: Loop, stepwise: MetricRow[], bestStep: number, what: string, reports: number): void {
  expect(got.metrics.map((m) => [m.kind, m.step])).toEqual(stepwise.map((m) => [m.kind, m.step]));
  expect(stepwise.filter((m) => m.kind === 'eval')).toHaveLength(2);
  got.metrics.forEach((m, i) => {
    const s = stepwise[i];
    const at = `${what}: ${m.kind} step ${m.step}`;
    expect(m.epoch, at).toBeCloseTo(s.epoch, 10);
    if (m.kind === 'train') {
      const t = s as StepMetrics;
      for (const key of ['loss', 'loss_label', 'loss_rationale', 'lr'] as const) expect(rel(m[key]!, t[key]!), `${at} ${key}`).toBeLessThan(1e-4);
      expect(rel(m.grad_norm, t.grad_norm), `${at} grad_norm`).toBeLessThan(1e-3);
      expect(Object.keys(m).sort()).toEqual(Object.keys(t).sort());
    } else {
      const e = s as EvalMetrics;
      for (const key of ['eval_loss', 'eval_loss_label', 'eval_loss_rationale'] as const) expect(rel(m[key]!, e[key]!), `${at} ${key}`).toBeLessThan(1e-4);
    }
  });
  expect(got.state.best.step).toBe(bestStep);
  expect(got.reports).toBe(reports);
  expect(got.checkpoints).toBe(reports);
  expect(got.files).toEqual(expect.arrayContaining(['best/model.safetensors', 'best/tokenizer.json', 'latest/model.safetensors', 'latest/training_state.pt', 'metrics.jsonl', 'state.json']));
}
