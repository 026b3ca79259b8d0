#!/usr/bin/python3
"""Independent check of a T5 checkpoint folder written by tools/make-tiny-t5.ts (Debian /usr/bin/python3, numpy + torch).

  /usr/bin/python3 tools/check_tiny_checkpoint.py DIR [--same-weights-as F32_DIR]

Reads the safetensors files with struct/json/numpy (no transformers), asserts every HF T5 parameter name and shape
for config.json, norms equal one, and init standard deviations near HF's _init_weights. With --same-weights-as, the
F16/BF16 values must equal torch's own rounding of the F32 checkpoint made from the same seed.
"""
import json
import os
import struct
import sys

import numpy as np
import torch


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    header.pop("__metadata__", None)
    out = {}
    for name, e in header.items():
        b, end = e["data_offsets"]
        raw = data[b:end]
        if e["dtype"] == "F32":
            arr = torch.from_numpy(np.frombuffer(raw, dtype="<f4").copy())
        elif e["dtype"] == "F16":
            arr = torch.from_numpy(np.frombuffer(raw, dtype="<f2").copy())
        elif e["dtype"] == "BF16":
            arr = torch.from_numpy(np.frombuffer(raw, dtype="<i2").copy()).view(torch.bfloat16)
        else:
            raise AssertionError(f"{path}: unexpected dtype {e['dtype']} for {name}")
        out[name] = arr.reshape(e["shape"])
    return out


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


def expected_shapes(c):
    C, inner, F, V = c["d_model"], c["num_heads"] * c["d_kv"], c["d_ff"], c["vocab_size"]
    gated = c.get("feed_forward_proj", "relu") == "gated-gelu"
    s = {"shared.weight": (V, C)}

    def attn(p, bias):
        for m in "qkv":
            s[f"{p}.{m}.weight"] = (inner, C)
        s[f"{p}.o.weight"] = (C, inner)
        if bias:
            s[f"{p}.relative_attention_bias.weight"] = (c["relative_attention_num_buckets"], c["num_heads"])

    def ffn(p):
        for m in (["wi_0", "wi_1"] if gated else ["wi"]):
            s[f"{p}.DenseReluDense.{m}.weight"] = (F, C)
        s[f"{p}.DenseReluDense.wo.weight"] = (C, F)
        s[f"{p}.layer_norm.weight"] = (C,)

    for i in range(c["num_layers"]):
        attn(f"encoder.block.{i}.layer.0.SelfAttention", i == 0)
        s[f"encoder.block.{i}.layer.0.layer_norm.weight"] = (C,)
        ffn(f"encoder.block.{i}.layer.1")
    for i in range(c.get("num_decoder_layers") or c["num_layers"]):
        attn(f"decoder.block.{i}.layer.0.SelfAttention", i == 0)
        s[f"decoder.block.{i}.layer.0.layer_norm.weight"] = (C,)
        attn(f"decoder.block.{i}.layer.1.EncDecAttention", False)
        s[f"decoder.block.{i}.layer.1.layer_norm.weight"] = (C,)
        ffn(f"decoder.block.{i}.layer.2")
    s["encoder.final_layer_norm.weight"] = (C,)
    s["decoder.final_layer_norm.weight"] = (C,)
    if not c.get("tie_word_embeddings", True):
        s["lm_head.weight"] = (V, C)
    return s


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
    want = expected_shapes(config)
    assert set(tensors) == set(want), f"names differ: missing {set(want) - set(tensors)}, extra {set(tensors) - set(want)}"
    for name, shape in want.items():
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
