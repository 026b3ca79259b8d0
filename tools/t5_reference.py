#!/usr/bin/python3
"""PyTorch reference of Hugging Face T5 semantics, for golden fixtures and cross-framework checks.

Transformers is not installed here, so this file implements T5ForConditionalGeneration's maths directly in torch,
following modeling_t5.py (see /work/shared/T5-FACTS.md): no attention scaling, RMS layer norm, relative position
buckets computed in float32 as HF does, position bias from block 0 reused by later blocks, additive float32-min masks,
gated-gelu (gelu_new) or relu feed-forward, output rescale only when tied, CrossEntropyLoss(ignore_index=-100).
Computation runs in float64 so the fixtures are the exact maths the f32 GPU engine approximates.

Commands:
  golden --model DIR --out DIR      write batch.json, expected.json, grads.safetensors, adamw.safetensors
  grads --model DIR --batch BATCH.json --out OUT.json
                                    the same JSON as `npm run cli -- grads`, for cross-framework checks
  bench --config JSON --batch B --tin T --tout T --steps N
                                    seconds per DSS training step in float32 on this CPU (the benchmarks' baseline)
"""
import argparse
import json
import math
import sys
from pathlib import Path

import time

import numpy as np
import torch

from st_io import load_weights, write_safetensors
from t5_names import t5_param_shapes

F32_MIN = float(np.finfo(np.float32).min)
DT = torch.float64

# ---------------------------------------------------------------- model


def relative_position_bucket(relative_position, bidirectional, num_buckets, max_distance):
    buckets = torch.zeros_like(relative_position)
    if bidirectional:
        num_buckets //= 2
        buckets += (relative_position > 0).to(torch.long) * num_buckets
        relative_position = torch.abs(relative_position)
    else:
        relative_position = -torch.min(relative_position, torch.zeros_like(relative_position))
    max_exact = num_buckets // 2
    is_small = relative_position < max_exact
    # float32 log then truncation, exactly as HF
    large = max_exact + (
        torch.log(relative_position.float() / max_exact) / math.log(max_distance / max_exact) * (num_buckets - max_exact)
    ).to(torch.long)
    large = torch.min(large, torch.full_like(large, num_buckets - 1))
    return buckets + torch.where(is_small, relative_position, large)


class T5Reference:
    def __init__(self, config, weights):
        self.c = config
        self.tied = config.get("tie_word_embeddings", True)
        self.gated = config.get("feed_forward_proj", "relu").startswith("gated")
        self.p = {}
        for name, t in weights.items():
            if "EncDecAttention.relative_attention_bias" in name or name.endswith("embed_tokens.weight"):
                continue
            self.p[name] = t.clone().to(DT).requires_grad_(True)
        if not self.tied and "lm_head.weight" not in self.p:
            raise ValueError("untied config but no lm_head.weight")

    def w(self, name):
        return self.p[name]

    def rms(self, x, name):
        var = x.pow(2).mean(-1, keepdim=True)
        return self.w(name) * (x * torch.rsqrt(var + self.c["layer_norm_epsilon"]))

    def bias(self, prefix, q_len, k_len, bidirectional, q_offset=0):
        ctx = torch.arange(q_offset, q_offset + q_len, dtype=torch.long)[:, None]
        mem = torch.arange(k_len, dtype=torch.long)[None, :]
        b = relative_position_bucket(
            mem - ctx, bidirectional, self.c["relative_attention_num_buckets"], self.c.get("relative_attention_max_distance", 128)
        )
        table = self.w(prefix + ".relative_attention_bias.weight")  # (buckets, H)
        return table[b].permute(2, 0, 1).unsqueeze(0)  # (1, H, q, k)

    def attention(self, prefix, x, kv, bias_and_mask):
        B, Tq, _ = x.shape
        Tk = kv.shape[1]
        H, D = self.c["num_heads"], self.c["d_kv"]
        q = (x @ self.w(prefix + ".q.weight").T).view(B, Tq, H, D).transpose(1, 2)
        k = (kv @ self.w(prefix + ".k.weight").T).view(B, Tk, H, D).transpose(1, 2)
        v = (kv @ self.w(prefix + ".v.weight").T).view(B, Tk, H, D).transpose(1, 2)
        scores = q @ k.transpose(2, 3) + bias_and_mask
        probs = torch.softmax(scores, dim=-1)
        ctx = (probs @ v).transpose(1, 2).reshape(B, Tq, H * D)
        return ctx @ self.w(prefix + ".o.weight").T

    def ffn(self, prefix, x):
        if self.gated:
            a = x @ self.w(prefix + ".wi_0.weight").T
            g = 0.5 * a * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (a + 0.044715 * a.pow(3))))
            h = g * (x @ self.w(prefix + ".wi_1.weight").T)
        else:
            h = torch.relu(x @ self.w(prefix + ".wi.weight").T)
        return h @ self.w(prefix + ".wo.weight").T

    def encode(self, input_ids, attention_mask):
        x = self.w("shared.weight")[input_ids]
        T = input_ids.shape[1]
        mask = (1.0 - attention_mask.to(DT))[:, None, None, :] * F32_MIN
        pb = self.bias("encoder.block.0.layer.0.SelfAttention", T, T, True) + mask
        for i in range(self.c["num_layers"]):
            p = f"encoder.block.{i}"
            h = self.rms(x, p + ".layer.0.layer_norm.weight")
            x = x + self.attention(p + ".layer.0.SelfAttention", h, h, pb)
            x = x + self.ffn(p + ".layer.1.DenseReluDense", self.rms(x, p + ".layer.1.layer_norm.weight"))
        return self.rms(x, "encoder.final_layer_norm.weight")

    def decode(self, decoder_input_ids, enc, attention_mask):
        x = self.w("shared.weight")[decoder_input_ids]
        T = decoder_input_ids.shape[1]
        causal = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
        self_mask = torch.where(causal, torch.tensor(F32_MIN, dtype=DT), torch.tensor(0.0, dtype=DT))[None, None]
        pb = self.bias("decoder.block.0.layer.0.SelfAttention", T, T, False) + self_mask
        cross = (1.0 - attention_mask.to(DT))[:, None, None, :] * F32_MIN
        n = self.c.get("num_decoder_layers") or self.c["num_layers"]
        for i in range(n):
            p = f"decoder.block.{i}"
            h = self.rms(x, p + ".layer.0.layer_norm.weight")
            x = x + self.attention(p + ".layer.0.SelfAttention", h, h, pb)
            h = self.rms(x, p + ".layer.1.layer_norm.weight")
            x = x + self.attention(p + ".layer.1.EncDecAttention", h, enc, cross)
            x = x + self.ffn(p + ".layer.2.DenseReluDense", self.rms(x, p + ".layer.2.layer_norm.weight"))
        x = self.rms(x, "decoder.final_layer_norm.weight")
        if self.tied:
            x = x * self.c["d_model"] ** -0.5
            return x @ self.w("shared.weight").T
        return x @ self.w("lm_head.weight").T

    def shift_right(self, labels):
        start = self.c.get("decoder_start_token_id", 0)
        pad = self.c.get("pad_token_id", 0)
        shifted = torch.full_like(labels, pad)
        shifted[:, 0] = start
        shifted[:, 1:] = labels[:, :-1]
        return torch.where(shifted == -100, torch.full_like(shifted, pad), shifted)

    def task_loss(self, task):
        ids = torch.tensor(task["input_ids"], dtype=torch.long)
        mask = torch.tensor(task["attention_mask"], dtype=torch.long)
        labels = torch.tensor(task["labels"], dtype=torch.long)
        logits = self.decode(self.shift_right(labels), self.encode(ids, mask), mask)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)
        return loss, logits

    def dss_loss(self, batch):
        a = batch["alpha"]
        loss_label, logits = self.task_loss(batch["label"])
        if a >= 1.0:
            return loss_label, loss_label, None, logits
        loss_rationale, _ = self.task_loss(batch["rationale"])
        return a * loss_label + (1 - a) * loss_rationale, loss_label, loss_rationale, logits

    @torch.no_grad()
    def greedy(self, input_ids, attention_mask, max_new_tokens):
        ids = torch.tensor(input_ids, dtype=torch.long)
        mask = torch.tensor(attention_mask, dtype=torch.long)
        enc = self.encode(ids, mask)
        eos, pad = self.c.get("eos_token_id", 1), self.c.get("pad_token_id", 0)
        seq = torch.full((ids.shape[0], 1), self.c.get("decoder_start_token_id", 0), dtype=torch.long)
        done = torch.zeros(ids.shape[0], dtype=torch.bool)
        for _ in range(max_new_tokens):
            nxt = self.decode(seq, enc, mask)[:, -1].argmax(-1)  # argmax takes the first index on ties
            nxt = torch.where(done, torch.full_like(nxt, pad), nxt)
            seq = torch.cat([seq, nxt[:, None]], 1)
            done |= nxt == eos
            if bool(done.all()):
                break
        return seq[:, 1:].tolist()


def decays(name):
    """HF Trainer: no weight decay for layer norms or any parameter whose name contains 'bias'."""
    return not ("layer_norm" in name or "bias" in name)


def summary(t):
    flat = t.detach().reshape(-1)
    return {"shape": list(t.shape), "norm": float(flat.norm()), "sum": float(flat.sum()), "first": [float(v) for v in flat[:8]]}


def load_model(model_dir):
    config = json.loads((Path(model_dir) / "config.json").read_text())
    return T5Reference(config, load_weights(model_dir))


def grads_json(model, batch):
    total, ll, lr, _ = model.dss_loss(batch)
    total.backward()
    grads = {n: summary(p.grad) for n, p in model.p.items() if p.grad is not None}
    return {
        "loss_label": float(ll),
        "loss_rationale": None if lr is None else float(lr),
        "loss_total": float(total),
        "grads": grads,
    }


# ---------------------------------------------------------------- golden fixtures


def fixture_batch(vocab, seed):
    """A small DSS batch with padding, -100 labels, and a fully padded label row tail."""
    g = torch.Generator().manual_seed(seed)

    def ids(rows, lengths, width):
        out, mask = [], []
        for r in range(rows):
            n = lengths[r]
            row = torch.randint(3, vocab, (n - 1,), generator=g).tolist() + [1]
            out.append(row + [0] * (width - n))
            mask.append([1] * n + [0] * (width - n))
        return out, mask

    def labels(rows, lengths, width):
        out = []
        for r in range(rows):
            n = lengths[r]
            row = torch.randint(3, vocab, (n - 1,), generator=g).tolist() + [1]
            out.append(row + [-100] * (width - n))
        return out

    li, lm = ids(2, [6, 4], 6)
    ri, rm = ids(2, [6, 4], 6)
    return {
        "alpha": 0.5,
        "label": {"input_ids": li, "attention_mask": lm, "labels": labels(2, [5, 3], 5)},
        "rationale": {"input_ids": ri, "attention_mask": rm, "labels": labels(2, [7, 4], 7)},
    }


def f32(tensors):
    """The fixtures store float32, what the GPU engine computes in."""
    return {n: t.detach().to(torch.float32) for n, t in tensors.items()}


def golden(model_dir, out_dir, seed=1234):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model = load_model(model_dir)
    batch = fixture_batch(model.c["vocab_size"], seed)
    (out / "batch.json").write_text(json.dumps(batch) + "\n")

    total, ll, lr, logits = model.dss_loss(batch)
    total.backward()
    grads = {n: p.grad.clone() for n, p in model.p.items()}
    write_safetensors(out / "grads.safetensors", f32(grads))

    # One AdamW step as HF Trainer takes it: clip the global norm to 1.0, decay matrices only.
    hyper = {"lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.01, "max_grad_norm": 1.0}
    params = list(model.p.items())
    total_norm = torch.nn.utils.clip_grad_norm_([p for _, p in params], hyper["max_grad_norm"])
    opt = torch.optim.AdamW(
        [
            {"params": [p for n, p in params if decays(n)], "weight_decay": hyper["weight_decay"]},
            {"params": [p for n, p in params if not decays(n)], "weight_decay": 0.0},
        ],
        lr=hyper["lr"], betas=tuple(hyper["betas"]), eps=hyper["eps"],
    )
    opt.step()
    write_safetensors(out / "adamw.safetensors", f32({n: p for n, p in params}))

    fresh = load_model(model_dir)
    generations = fresh.greedy(batch["label"]["input_ids"], batch["label"]["attention_mask"], 8)
    expected = {
        "source": "tools/t5_reference.py golden (float64 PyTorch, Hugging Face T5 semantics)",
        "loss_label": float(ll),
        "loss_rationale": float(lr),
        "loss_total": float(total),
        "logits_label": {"shape": list(logits.shape), "values": [float(v) for v in logits.detach().reshape(-1)]},
        "grad_norm_before_clip": float(total_norm),
        "adamw": hyper,
        "greedy": {"max_new_tokens": 8, "tokens": generations},
    }
    (out / "expected.json").write_text(json.dumps(expected) + "\n")
    print(f"wrote {out}: loss_total {float(total):.6f}, {len(grads)} gradient tensors")


def bench(config, B, tin, tout, steps):
    """Float32 DSS step (label + rationale, a = 0.5, AdamW) with random weights: the CPU baseline."""
    global DT
    DT = torch.float32
    torch.manual_seed(0)
    V = config["vocab_size"]
    shapes = t5_param_shapes(config)
    model = T5Reference(config, {n: torch.randn(*s, dtype=torch.float32) * 0.05 for n, s in shapes.items()})
    task = lambda T_in, T_out: {
        "input_ids": torch.randint(3, V, (B, T_in)).tolist(),
        "attention_mask": [[1] * T_in] * B,
        "labels": torch.randint(3, V, (B, T_out)).tolist(),
    }
    batch = {"alpha": 0.5, "label": task(tin, tout), "rationale": task(tin, tout)}
    opt = torch.optim.AdamW(list(model.p.values()), lr=1e-4)

    def step():
        opt.zero_grad()
        total, _, _, _ = model.dss_loss(batch)
        total.backward()
        torch.nn.utils.clip_grad_norm_(list(model.p.values()), 1.0)
        opt.step()

    step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - t0) / steps


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("golden")
    g.add_argument("--model", required=True)
    g.add_argument("--out", required=True)
    r = sub.add_parser("grads")
    r.add_argument("--model", required=True)
    r.add_argument("--batch", required=True)
    r.add_argument("--out", required=True)
    bn = sub.add_parser("bench")
    bn.add_argument("--config", required=True)
    bn.add_argument("--batch", type=int, required=True)
    bn.add_argument("--tin", type=int, required=True)
    bn.add_argument("--tout", type=int, required=True)
    bn.add_argument("--steps", type=int, default=2)
    args = ap.parse_args(argv)
    if args.cmd == "bench":
        seconds = bench(json.loads(args.config), args.batch, args.tin, args.tout, args.steps)
        print(json.dumps({"seconds_per_step": seconds, "threads": torch.get_num_threads(), "torch": torch.__version__}))
    elif args.cmd == "golden":
        golden(args.model, args.out)
    else:
        model = load_model(args.model)
        batch = json.loads(Path(args.batch).read_text())
        Path(args.out).write_text(json.dumps(grads_json(model, batch), indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
