"""Safetensors files for the Python reference tools: one reader and one writer (struct + json + numpy + torch).

  read_safetensors(path)         -> {name: torch tensor in the stored dtype}; BF16 as torch.bfloat16, exact
  read_safetensors_f64(path)     -> the same, every tensor as float64 (the float64 references compute in it)
  load_weights(model_dir)        -> float64 tensors of a checkpoint folder, single file or sharded by an index
  write_safetensors(path, arrays)-> numpy arrays or torch tensors, written as stored (F32, F16, U8, I32, I64)

Files are written as the safetensors library writes them: tensors in name order, compact JSON header padded with
spaces to 8 bytes, "__metadata__": {"format": "pt"}, so the goldens regenerate byte for byte.
"""
import json
import struct
from pathlib import Path

import numpy as np
import torch

_READ = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32, "U8": np.uint8}
_WRITE = {np.dtype(np.float32): "F32", np.dtype(np.float16): "F16", np.dtype(np.uint8): "U8", np.dtype(np.int32): "I32", np.dtype(np.int64): "I64"}


def read_safetensors(path):
    raw = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    header.pop("__metadata__", None)
    base = 8 + n
    out = {}
    for name, info in header.items():
        a, b = info["data_offsets"]
        buf = raw[base + a : base + b]
        dtype = info["dtype"]
        if dtype == "BF16":
            t = torch.from_numpy(np.frombuffer(buf, dtype="<i2").copy()).view(torch.bfloat16)
        elif dtype in _READ:
            t = torch.from_numpy(np.frombuffer(buf, dtype=_READ[dtype]).copy())  # little-endian, as every host here
        else:
            raise ValueError(f"{path}: tensor {name!r} has dtype {dtype}, which these tools do not read")
        out[name] = t.reshape(info["shape"])
    return out


def read_safetensors_f64(path):
    return {name: t.to(torch.float64) for name, t in read_safetensors(path).items()}


def load_weights(model_dir):
    d = Path(model_dir)
    index = d / "model.safetensors.index.json"
    if index.exists():
        weights = {}
        for f in sorted(set(json.loads(index.read_text())["weight_map"].values())):
            weights.update(read_safetensors_f64(d / f))
        return weights
    return read_safetensors_f64(d / "model.safetensors")


def write_safetensors(path, arrays):
    header, chunks, offset = {}, [], 0
    for name in sorted(arrays):
        a = arrays[name]
        arr = np.ascontiguousarray(a.detach().cpu().numpy() if isinstance(a, torch.Tensor) else a)
        if arr.dtype not in _WRITE:
            raise ValueError(f"{path}: tensor {name!r} is {arr.dtype}; convert it first (written dtypes: {sorted(_WRITE.values())})")
        data = arr.tobytes()
        header[name] = {"dtype": _WRITE[arr.dtype], "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    Path(path).write_bytes(struct.pack("<Q", len(text)) + text + b"".join(chunks))
