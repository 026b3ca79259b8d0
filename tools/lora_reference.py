#!/usr/bin/python3
"""LoRA and QLoRA on the float64 PyTorch T5 reference (tools/t5_reference.py), with PEFT semantics, for golden
fixtures and cross-framework checks of `npm run cli -- grads --adapter DIR [--nf4]`.

PEFT's LoRA linear is  y = x W^T + scaling * lora_B(lora_A(dropout(x))),  scaling = lora_alpha / r (or
lora_alpha / sqrt(r) with use_rslora). With dropout off (the goldens and `grads` run in eval mode) this equals
x (W + scaling * B A)^T exactly, so the reference adapts a module by handing T5Reference its effective weight;
autograd then gives dA = scaling * B^T dW_eff and dB = scaling * dW_eff A^T, PEFT's gradients. The base is frozen.

QLoRA: the frozen linears of the blocks (all but DenseReluDense.wo, which Transformers keeps in full precision for
T5; lm_head, embeddings, norms and relative biases are not quantized) are replaced by dequant(quant(W)) from
tools/nf4_reference.py (bitsandbytes' algorithm in float32), optionally with double quantization of absmax.

Run with Debian's python (torch 1.13 + numpy):
  /usr/bin/python3 tools/lora_reference.py golden      # writes fixtures/golden-lora/<name>/
  /usr/bin/python3 tools/lora_reference.py grads --model DIR --batch BATCH.json --out OUT.json --adapter DIR [--nf4] [--double-quant]
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
import nf4_reference as nf4  # noqa: E402
from st_io import load_weights, read_safetensors_f64, write_safetensors  # noqa: E402
from t5_reference import DT, T5Reference, fixture_batch, summary  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
KEY = re.compile(r"^base_model\.model\.(.+)\.lora_([AB])\.weight$")
BLOCK_LINEAR = re.compile(r"^(encoder|decoder)\.block\.\d+\.layer\.\d+\.(SelfAttention|EncDecAttention|DenseReluDense)\.(q|k|v|o|wi|wi_0|wi_1|wo)\.weight$")


def qlora_quantizes(name):
    m = BLOCK_LINEAR.match(name)
    return bool(m) and m.group(3) != "wo"


# ---------------------------------------------------------------- PEFT adapter


def pattern_value(pattern, path, default):
    """PEFT's rank_pattern / alpha_pattern: the first key k with re.match(r"(.*\\.)?" + k + "$", path)."""
    for k, v in (pattern or {}).items():
        if re.match(rf"(.*\.)?{k}$", path):
            return v
    return default


def load_adapter(adapter_dir):
    d = Path(adapter_dir)
    cfg = json.loads((d / "adapter_config.json").read_text())
    if cfg.get("peft_type") != "LORA":
        raise ValueError(f"{d}: peft_type {cfg.get('peft_type')!r} is not LORA")
    tensors = read_safetensors_f64(d / "adapter_model.safetensors")
    mods = {}
    for key, t in tensors.items():
        m = KEY.match(key)
        if not m:
            raise ValueError(f"{d}: unknown adapter key {key}")
        mods.setdefault(m.group(1), {})[m.group(2)] = t
    adapters = {}
    for path, ab in mods.items():
        r = ab["A"].shape[0]
        alpha = pattern_value(cfg.get("alpha_pattern"), path, cfg["lora_alpha"])
        r_cfg = pattern_value(cfg.get("rank_pattern"), path, cfg["r"])
        if r != r_cfg:
            raise ValueError(f"{path}: lora_A has rank {r}, adapter_config says {r_cfg}")
        scaling = alpha / math.sqrt(r) if cfg.get("use_rslora") else alpha / r
        adapters[path] = (ab["A"], ab["B"], scaling)
    return cfg, adapters


class LoraT5Reference(T5Reference):
    """T5Reference with frozen (optionally NF4) base weights and trainable LoRA A/B."""

    def __init__(self, config, weights, adapters, nf4_base=False, double_quant=False):
        super().__init__(config, weights)
        self.nf4_state = {}
        for name in list(self.p):
            if nf4_base and qlora_quantizes(name):
                self.p[name] = self.quantized(name, self.p[name], double_quant)
            self.p[name] = self.p[name].detach().requires_grad_(False)
        self.lora = {}
        for path, (A, B, scaling) in adapters.items():
            w = self.p.get(path + ".weight")
            if w is None:
                raise ValueError(f"adapter module {path} is not a parameter of the model")
            if A.shape[1] != w.shape[1] or B.shape[0] != w.shape[0] or B.shape[1] != A.shape[0]:
                raise ValueError(f"{path}: A {list(A.shape)} / B {list(B.shape)} do not fit the base {list(w.shape)}")
            self.lora[path] = (A.clone().to(DT).requires_grad_(True), B.clone().to(DT).requires_grad_(True), scaling)

    def quantized(self, name, w, double_quant):
        flat = w.detach().to(torch.float32).numpy().reshape(-1)
        codes, absmax = nf4.nf4_quantize(flat)
        self.nf4_state[name] = {"codes": codes, "absmax": absmax}
        if double_quant:
            code8 = nf4.create_dynamic_map()
            q, absmax2, offset = nf4.double_quantize(absmax, code8)
            absmax = nf4.double_dequantize(q, absmax2, offset, code8)
        deq = nf4.nf4_dequantize(codes, absmax, flat.size)
        return torch.from_numpy(deq.astype(np.float64).reshape(w.shape))

    def w(self, name):
        base = self.p[name]
        ad = self.lora.get(name[: -len(".weight")]) if name.endswith(".weight") else None
        if ad is None:
            return base
        A, B, scaling = ad
        return base + scaling * (B @ A)

    def lora_grads(self):
        out = {}
        for path, (A, B, _) in self.lora.items():
            out[f"base_model.model.{path}.lora_A.weight"] = A.grad
            out[f"base_model.model.{path}.lora_B.weight"] = B.grad
        return out


def load_lora_model(model_dir, adapter_dir, nf4_base=False, double_quant=False):
    config = json.loads((Path(model_dir) / "config.json").read_text())
    _, adapters = load_adapter(adapter_dir)
    return LoraT5Reference(config, load_weights(model_dir), adapters, nf4_base, double_quant)


def grads_json(model, batch):
    total, ll, lr, _ = model.dss_loss(batch)
    total.backward()
    return {
        "loss_label": float(ll),
        "loss_rationale": None if lr is None else float(lr),
        "loss_total": float(total),
        "grads": {n: summary(g) for n, g in sorted(model.lora_grads().items())},
    }


# ---------------------------------------------------------------- golden fixtures

ALL_LINEAR = ["q", "k", "v", "o", "wi_0", "wi_1", "wi", "wo"]
CASES = {
    # the paper's targets (every linear), alpha:r 4:1
    "untied-gated-all": {"model": "untied-gated", "targets": ALL_LINEAR, "r": 4, "alpha": 16, "rslora": False, "seed": 11},
    # PEFT's T5 default targets with rsLoRA
    "tied-relu-qv": {"model": "tied-relu", "targets": ["q", "v"], "r": 2, "alpha": 4, "rslora": True, "seed": 12},
}


def matches(path, targets):
    return any(path == t or path.endswith("." + t) for t in targets)


def make_adapter(weights, case):
    """A as PEFT initialises it (kaiming_uniform_, a = sqrt(5): U(+-1/sqrt(in))) and a NON-zero B, so dA is not 0."""
    g = torch.Generator().manual_seed(case["seed"])
    r = case["r"]
    tensors = {}
    targets = []
    for name in sorted(weights):
        if not BLOCK_LINEAR.match(name) or not matches(name[: -len(".weight")], case["targets"]):
            continue
        path = name[: -len(".weight")]
        out_f, in_f = weights[name].shape
        bound = 1 / math.sqrt(in_f)
        tensors[f"base_model.model.{path}.lora_A.weight"] = ((torch.rand(r, in_f, generator=g) * 2 - 1) * bound).numpy().astype(np.float32)
        tensors[f"base_model.model.{path}.lora_B.weight"] = (torch.randn(out_f, r, generator=g) * 0.05).numpy().astype(np.float32)
        targets.append(path.split(".")[-1])
    cfg = {
        "peft_type": "LORA",
        "task_type": "SEQ_2_SEQ_LM",
        "base_model_name_or_path": f"fixtures/tiny-t5/{case['model']}",
        "r": r,
        "lora_alpha": case["alpha"],
        "lora_dropout": 0.05,
        "target_modules": sorted(set(targets)),
        "use_rslora": case["rslora"],
        "bias": "none",
        "fan_in_fan_out": False,
        "inference_mode": True,
    }
    return cfg, tensors


def losses(total, ll, lr):
    return {"loss_label": float(ll), "loss_rationale": float(lr), "loss_total": float(total)}


def golden_case(name, case, seed=4321):
    out = ROOT / "fixtures" / "golden-lora" / name
    model_dir = ROOT / "fixtures" / "tiny-t5" / case["model"]
    (out / "adapter").mkdir(parents=True, exist_ok=True)
    weights = load_weights(model_dir)
    cfg, tensors = make_adapter(weights, case)
    (out / "adapter" / "adapter_config.json").write_text(json.dumps(cfg, indent=2) + "\n")
    write_safetensors(out / "adapter" / "adapter_model.safetensors", tensors)
    config = json.loads((model_dir / "config.json").read_text())
    batch = fixture_batch(config["vocab_size"], seed)
    (out / "batch.json").write_text(json.dumps(batch) + "\n")
    adapter_dir = out / "adapter"

    lora = load_lora_model(model_dir, adapter_dir)
    total, ll, lr, logits = lora.dss_loss(batch)
    total.backward()
    grads = lora.lora_grads()
    write_safetensors(out / "grads.safetensors", {k: g.detach().numpy().astype(np.float32) for k, g in grads.items()})

    q = load_lora_model(model_dir, adapter_dir, nf4_base=True)
    qt, qll, qlr, qlogits = q.dss_loss(batch)
    qt.backward()
    write_safetensors(out / "qlora_grads.safetensors", {k: g.detach().numpy().astype(np.float32) for k, g in q.lora_grads().items()})
    nf4_arrays = {}
    for pname, st in q.nf4_state.items():
        nf4_arrays[pname + ".codes"] = st["codes"]
        nf4_arrays[pname + ".absmax"] = st["absmax"]
    write_safetensors(out / "nf4.safetensors", nf4_arrays)

    dq = load_lora_model(model_dir, adapter_dir, nf4_base=True, double_quant=True)
    with torch.no_grad():
        dt_, dll, dlr, _ = dq.dss_loss(batch)

    expected = {
        "source": "tools/lora_reference.py golden (float64 PyTorch, HF T5 + PEFT LoRA semantics, bnb NF4 algorithm)",
        "case": case,
        **losses(total, ll, lr),
        "logits_label": {"shape": list(logits.shape), "values": [float(v) for v in logits.detach().reshape(-1)]},
        "qlora": {**losses(qt, qll, qlr), "logits_label": {"shape": list(qlogits.shape), "values": [float(v) for v in qlogits.detach().reshape(-1)]}},
        "qlora_double_quant": losses(dt_, dll, dlr),
        "nf4_weights": sorted(q.nf4_state),
    }
    (out / "expected.json").write_text(json.dumps(expected) + "\n")
    print(f"wrote {out}: lora loss {float(total):.6f}, qlora loss {float(qt):.6f}, {len(grads)} adapter tensors, {len(q.nf4_state)} NF4 weights")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("golden")
    r = sub.add_parser("grads")
    r.add_argument("--model", required=True)
    r.add_argument("--batch", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--adapter", required=True)
    r.add_argument("--nf4", action="store_true")
    r.add_argument("--double-quant", action="store_true")
    args = ap.parse_args(argv)
    if args.cmd == "golden":
        for name, case in CASES.items():
            golden_case(name, case)
    else:
        model = load_lora_model(args.model, args.adapter, args.nf4, args.double_quant)
        batch = json.loads(Path(args.batch).read_text())
        Path(args.out).write_text(json.dumps(grads_json(model, batch), indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
