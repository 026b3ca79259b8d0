#!/usr/bin/python3
"""A training trajectory on the float64 PyTorch T5 reference: N AdamW steps with dropout off and a fixed batch order,
the loss printed at every step, to compare with `npm run cli -- train --dropout-rate 0 --no-shuffle` step by step.

The model maths is tools/t5_reference.py (full fine-tuning: every parameter trains) and tools/lora_reference.py
(LoRA on a frozen base, PEFT semantics). The run's starting point is rebuilt as Stepwise builds it, not read from it:
  - LoRA A: kaiming-uniform U(-1/sqrt(in), 1/sqrt(in)) drawn from mulberry32 seeded by cyrb53(module path, seed),
    stored as float32 (src/common/random.ts, src/model/lora.ts kaimingUniformA); B zeros.
  - Trainable token rows (PEFT's trainable tokens, src/model/trainable-tokens.ts): the rows of the given ids in the
    embedding and an untied lm_head are replaced by trained rows that start at the mean of the rows below the
    smallest id, as float32.
The optimizer is torch.optim.AdamW (betas 0.9/0.999, eps 1e-8; weight decay only where HF Trainer decays) after
torch.nn.utils.clip_grad_norm_, as HF Trainer runs it; micro-batches of one step add their loss / count.

Usage:
  /usr/bin/python3 tools/train_reference.py --spec SPEC.json [--out OUT.json]
SPEC.json:
  {"model": DIR, "method": "full" | "lora", "a": 0.5, "lr": 1e-3, "weight_decay": 0.0, "max_grad_norm": 1.0,
   "lora": {"rank": 4, "alpha": 8, "targets": ["q", "v"], "rslora": false, "seed": 42},   (lora only)
   "token_rows": [ids],                       (optional: rows of added characters, started at the mean row)
   "steps": [[{"label": TASK, "rationale": TASK?}, ...micro-batches], ...]}
  TASK = {"input_ids": [[...]], "attention_mask": [[...]], "labels": [[...]]} as in BATCH.json.
Prints one line per step: step, loss, loss_label, loss_rationale, grad_norm; --out writes them as JSON.
"""
import argparse
import json
import math
import re
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lora_reference import LoraT5Reference  # noqa: E402
from st_io import load_weights  # noqa: E402
from t5_reference import DT, T5Reference, decays  # noqa: E402

U32 = 0xFFFFFFFF
BLOCK_LINEAR = re.compile(r"^(encoder|decoder)\.block\.\d+\.layer\.\d+\.(SelfAttention|EncDecAttention|DenseReluDense)\.(q|k|v|o|wi|wi_0|wi_1|wo)\.weight$")

# ---------------------------------------------------------------- Stepwise's seeded randomness, bit for bit


def imul(a, b):
    return (a * b) & U32


def cyrb53(text, seed=0):
    """hashString of src/common/random.ts (53 bits); JS 32-bit integer ops done on unsigned 32-bit values."""
    h1 = (0xDEADBEEF ^ seed) & U32
    h2 = (0x41C6CE57 ^ seed) & U32
    units = text.encode("utf-16-le")  # JS charCodeAt walks UTF-16 code units
    for i in range(0, len(units), 2):
        c = units[i] | (units[i + 1] << 8)
        h1 = imul(h1 ^ c, 2654435761)
        h2 = imul(h2 ^ c, 1597334677)
    h1 = imul(h1 ^ (h1 >> 16), 2246822507) ^ imul(h2 ^ (h2 >> 13), 3266489909)
    h2 = imul(h2 ^ (h2 >> 16), 2246822507) ^ imul(h1 ^ (h1 >> 13), 3266489909)
    return 4294967296 * (2097151 & h2) + (h1 & U32)


def mulberry32(seed):
    """seededRandom of src/common/random.ts: uniform floats in [0, 1)."""
    state = [seed & U32]

    def nxt():
        state[0] = (state[0] + 0x6D2B79F5) & U32
        t = state[0]
        t = imul(t ^ (t >> 15), t | 1)
        t = (t ^ ((t + imul(t ^ (t >> 7), t | 61)) & U32)) & U32
        return ((t ^ (t >> 14)) & U32) / 4294967296

    return nxt


def kaiming_uniform_a(r, in_features, random):
    """kaimingUniformA of src/model/lora.ts: (2 u - 1) / sqrt(in) in float64, stored as float32."""
    bound = 1 / math.sqrt(in_features)
    values = np.array([(2 * random() - 1) * bound for _ in range(r * in_features)], dtype=np.float64)
    return torch.from_numpy(values.astype(np.float32).astype(np.float64).reshape(r, in_features))


# ---------------------------------------------------------------- the model being trained


def lora_adapters(weights, lora):
    adapters = {}
    r, alpha = lora["rank"], lora["alpha"]
    scaling = alpha / math.sqrt(r) if lora.get("rslora") else alpha / r
    for name, w in weights.items():
        m = BLOCK_LINEAR.match(name)
        if not m or m.group(3) not in lora["targets"]:
            continue
        path = name[: -len(".weight")]
        A = kaiming_uniform_a(r, w.shape[1], mulberry32(cyrb53(path, lora["seed"])))
        adapters[path] = (A, torch.zeros(w.shape[0], r, dtype=DT), scaling)
    if not adapters:
        raise ValueError(f"LoRA targets {lora['targets']} match no linear module")
    return adapters


class TokenRowsLora(LoraT5Reference):
    """LoRA plus PEFT's trainable tokens: rows of `ids` in shared (and an untied lm_head) replaced by trained rows."""

    def __init__(self, config, weights, adapters, ids):
        super().__init__(config, weights, adapters)
        self.ids = torch.tensor(sorted(ids), dtype=torch.long)
        below = int(self.ids.min())
        self.rows = {}
        for name in ["shared.weight"] + ([] if self.tied else ["lm_head.weight"]):
            base = self.p[name]
            mean = base[:below].mean(0).to(torch.float32).to(DT)
            self.rows[name] = mean.repeat(len(self.ids), 1).clone().requires_grad_(True)

    def w(self, name):
        rows = self.rows.get(name) if hasattr(self, "rows") else None
        if rows is None:
            return super().w(name)
        return self.p[name].index_copy(0, self.ids, rows)


def build(spec):
    config = json.loads((Path(spec["model"]) / "config.json").read_text())
    weights = load_weights(spec["model"])
    if spec["method"] == "full":
        # A full fine-tune starts the added characters' rows at the mean row too (src/train/token-rows.ts).
        ids = sorted(spec.get("token_rows") or [])
        if ids:
            weights = dict(weights)
            names = ["shared.weight"] + ([] if config.get("tie_word_embeddings", True) else ["lm_head.weight"])
            for name in names:
                w = torch.as_tensor(weights[name]).clone()
                w[ids] = w[: ids[0]].to(torch.float64).mean(0).to(torch.float32).to(w.dtype)
                weights[name] = w
        model = T5Reference(config, weights)
        return model, list(model.p.items())
    if spec["method"] != "lora":
        raise ValueError(f"method {spec['method']!r}: the reference trains full or lora")
    adapters = lora_adapters(weights, spec["lora"])
    ids = spec.get("token_rows") or []
    model = TokenRowsLora(config, weights, adapters, ids) if ids else LoraT5Reference(config, weights, adapters)
    named = []
    for path, (A, B, _) in model.lora.items():
        named += [(f"base_model.model.{path}.lora_A.weight", A), (f"base_model.model.{path}.lora_B.weight", B)]
    if ids:
        named += [(f"{n}.trainable_tokens", t) for n, t in model.rows.items()]
    return model, named


# ---------------------------------------------------------------- the loop


def train(spec):
    model, named = build(spec)
    a = spec["a"]
    params = [t for _, t in named]
    groups = [
        {"params": [t for n, t in named if decays(n)], "weight_decay": spec.get("weight_decay", 0.0)},
        {"params": [t for n, t in named if not decays(n)], "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW([g for g in groups if g["params"]], lr=spec["lr"], betas=(0.9, 0.999), eps=1e-8)
    max_norm = spec.get("max_grad_norm", 1.0)
    out = []
    for i, micro in enumerate(spec["steps"]):
        opt.zero_grad(set_to_none=True)
        k = len(micro)
        total = label = rationale = 0.0
        has_rationale = True
        for batch in micro:
            b = {"alpha": a if batch.get("rationale") else 1.0, **batch}
            loss, ll, lr, _ = model.dss_loss(b)
            (loss / k).backward()
            total += float(loss) / k
            label += float(ll) / k
            if lr is None:
                has_rationale = False
            else:
                rationale += float(lr) / k
        grads = [t.grad for t in params if t.grad is not None]
        norm = float(torch.sqrt(sum((g * g).sum() for g in grads))) if grads else 0.0
        if max_norm and max_norm > 0:
            torch.nn.utils.clip_grad_norm_(params, max_norm)
        opt.step()
        row = {"step": i + 1, "loss": total, "loss_label": label, "loss_rationale": rationale if has_rationale else None, "grad_norm": norm}
        out.append(row)
        print(json.dumps(row), flush=True)
    return out


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spec", required=True)
    ap.add_argument("--out")
    args = ap.parse_args(argv)
    spec = json.loads(Path(args.spec).read_text())
    rows = train(spec)
    if args.out:
        Path(args.out).write_text(json.dumps({"steps": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
