#!/usr/bin/python3
"""Independent check of a T5 checkpoint folder written by tools/make-tiny-t5.ts (Debian /usr/bin/python3, numpy + torch).

  /usr/bin/python3 tools/check_tiny_checkpoint.py DIR [--same-weights-as F32_DIR]

Reads the safetensors files with tools/st_io.py (struct/json/numpy, no transformers), asserts every HF T5 parameter
name and shape for config.json (tools/t5_names.py), norms equal one, and init standard deviations near HF's _init_weights. With --same-weights-as, the
F16/BF16 values must equal torch's own rounding of the F32 checkpoint made from the same seed.
"""
import json
import os
import sys

import torch

from st_io import read_safetensors
from t5_names import t5_param_shapes

FLOATS = (torch.float32, torch.float16, torch.bfloat16)


def read_folder(folder):
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(index):
        weight_map = json.load(open(index))["weight_map"]
        tensors = {}
        for file in sorted(set(weight_map.values())):
            tensors.update(read_safetensors(os.path.join(folder, file)))
        assert set(tensors) == set(weight_map), "index weight_map and shard contents differ"
        return tensors
    return read_safetensors(os.path.join(folder, "model.safetensors"))


def init_std(name, c):
    leaf = name.split(".")[-2]
    if name in ("shared.weight", "lm_head.weight"):
        return 1.0
    if "layer_norm" in name:
        return 0.0
    if leaf == "relative_attention_bias" or leaf in ("k", "v") or leaf.startswith("wi"):
        return c["d_model"] ** -0.5
    if leaf == "q":
        return (c["d_model"] * c["d_kv"]) ** -0.5
    if leaf == "o":
        return (c["num_heads"] * c["d_kv"]) ** -0.5
    if leaf == "wo":
        return c["d_ff"] ** -0.5
    raise AssertionError(name)


def main(argv):
    folder = argv[1]
    config = json.load(open(os.path.join(folder, "config.json")))
    tensors = read_folder(folder)
    want = t5_param_shapes(config)
    assert set(tensors) == set(want), f"names differ: missing {set(want) - set(tensors)}, extra {set(tensors) - set(want)}"
    for name, shape in want.items():
        assert tensors[name].dtype in FLOATS, f"{name}: unexpected dtype {tensors[name].dtype}"
        assert tuple(tensors[name].shape) == shape, f"{name}: {tuple(tensors[name].shape)} != {shape}"
        t = tensors[name].float()
        std = init_std(name, config)
        if std == 0:
            assert torch.all(t == 1), f"{name}: norms must be ones"
        elif t.numel() >= 512:
            assert abs(t.std().item() / std - 1) < 0.15, f"{name}: std {t.std().item()} far from {std}"
    tok = json.load(open(os.path.join(folder, "tokenizer.json")))
    vocab = tok["model"]["vocab"]
    assert [p for p, _ in vocab[:3]] == ["<pad>", "</s>", "<unk>"] and tok["model"]["unk_id"] == 2
    assert len(vocab) == config["vocab_size"], "tokenizer size must equal vocab_size"
    if "--same-weights-as" in argv:
        ref = read_folder(argv[argv.index("--same-weights-as") + 1])
        for name, t in tensors.items():
            assert torch.equal(ref[name].to(t.dtype), t), f"{name}: {t.dtype} values differ from torch's rounding"
    print(f"ok {folder}: {len(tensors)} tensors, {sum(t.numel() for t in tensors.values())} parameters")


if __name__ == "__main__":
    main(sys.argv)
