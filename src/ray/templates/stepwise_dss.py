"""Stepwise's Distilling Step-by-Step data and loss, for training outside the studio (train_ray.py).

Importable with only torch installed: no Ray, Transformers or PEFT here. It rebuilds exactly the batches Stepwise
trains on from the bundle's token ids and computes the same loss:

    build_batches(rows, tokenizer, config, epoch=0) -> [(label_batch, rationale_batch or None), ...]
    dss_loss(model, label_batch, rationale_batch, a) -> {"total", "label", "rationale"}

A batch is a dict of input_ids, attention_mask and labels (long tensors; inputs padded with pad 0, labels with
-100), and model(**batch) returns an object with .logits, as Hugging Face seq2seq models do.
"""
import math

import torch

PAD_ID = 0
EOS_ID = 1
IGNORE_INDEX = -100
LABEL_PREFIX = "predict: "
RATIONALE_PREFIX = "explain: "
_U32 = 0xFFFFFFFF


# ---------------------------------------------------------------- Stepwise's seeded order (src/common/random.ts)


def _imul(a, b):
    """JavaScript's Math.imul on 32-bit patterns, kept unsigned."""
    return ((a & _U32) * (b & _U32)) & _U32


def hash_string(text, seed=0):
    """cyrb53 over UTF-16 code units, as Stepwise's hashString."""
    h1 = 0xDEADBEEF ^ (seed & _U32)
    h2 = 0x41C6CE57 ^ (seed & _U32)
    units = text.encode("utf-16-le")
    for i in range(0, len(units), 2):
        c = units[i] | (units[i + 1] << 8)
        h1 = _imul(h1 ^ c, 2654435761)
        h2 = _imul(h2 ^ c, 1597334677)
    h1 = _imul(h1 ^ (h1 >> 16), 2246822507) ^ _imul(h2 ^ (h2 >> 13), 3266489909)
    h2 = _imul(h2 ^ (h2 >> 16), 2246822507) ^ _imul(h1 ^ (h1 >> 13), 3266489909)
    return 4294967296 * (2097151 & h2) + (h1 & _U32)


def seeded_random(seed):
    """mulberry32: floats in [0, 1), as Stepwise's seededRandom."""
    state = [seed & _U32]

    def next_float():
        state[0] = (state[0] + 0x6D2B79F5) & _U32
        t = state[0]
        t = _imul(t ^ (t >> 15), t | 1)
        t = (t ^ ((t + _imul(t ^ (t >> 7), t | 61)) & _U32)) & _U32
        return ((t ^ (t >> 14)) & _U32) / 4294967296

    return next_float


def shuffled(items, random):
    """Fisher-Yates on a copy, as Stepwise's shuffled."""
    out = list(items)
    for i in range(len(out) - 1, 0, -1):
        j = math.floor(random() * (i + 1))
        out[i], out[j] = out[j], out[i]
    return out


def epoch_order(count, seed, epoch, shuffle):
    """Train row indices of an epoch in the order Stepwise sees them."""
    ids = list(range(count))
    return shuffled(ids, seeded_random(hash_string("epoch %d" % epoch, seed))) if shuffle else ids


# ---------------------------------------------------------------- rows -> padded batches


def _encode(tokenizer, text, max_length):
    """Fallback for rows without ids: the tokenizer's ids with </s>, cut keeping the final </s> as Stepwise does."""
    if tokenizer is None:
        raise ValueError("a row has no token ids and no tokenizer was given to encode its text")
    ids = list(tokenizer(text, add_special_tokens=True)["input_ids"])
    if not ids or ids[-1] != EOS_ID:
        ids.append(EOS_ID)
    return ids if len(ids) <= max_length else ids[: max_length - 1] + [EOS_ID]


def row_task(row, task, tokenizer=None, config=None):
    """(input ids, target ids) of one task of a bundle row ('label' or 'rationale')."""
    ids = row.get(task + "_ids")
    if ids is not None:
        return list(ids["input_ids"]), list(ids["labels"])
    config = config or {}
    max_in, max_out = config.get("maxInputLength", 512), config.get("maxTargetLength", 256)
    prefix = LABEL_PREFIX if task == "label" else RATIONALE_PREFIX
    target = row.get(task) or ""
    if task == "rationale" and not target.strip():
        return _encode(tokenizer, prefix + row["question"], max_in), []
    return _encode(tokenizer, prefix + row["question"], max_in), _encode(tokenizer, target, max_out)


def pad_task(pairs):
    """One task batch: inputs padded with pad (0) and masked, targets padded with -100 (at least one column)."""
    width_in = max(len(i) for i, _ in pairs)
    width_out = max([1] + [len(t) for _, t in pairs])
    return {
        "input_ids": torch.tensor([i + [PAD_ID] * (width_in - len(i)) for i, _ in pairs], dtype=torch.long),
        "attention_mask": torch.tensor([[1] * len(i) + [0] * (width_in - len(i)) for i, _ in pairs], dtype=torch.long),
        "labels": torch.tensor([t + [IGNORE_INDEX] * (width_out - len(t)) for _, t in pairs], dtype=torch.long),
    }


def pad_batch(rows, tokenizer=None, config=None):
    """(label batch, rationale batch); the rationale batch is None when no row in it has a rationale target."""
    label = [row_task(r, "label", tokenizer, config) for r in rows]
    rationale = [row_task(r, "rationale", tokenizer, config) for r in rows]
    return pad_task(label), (pad_task(rationale) if any(t for _, t in rationale) else None)


def build_batches(rows, tokenizer, config, epoch=0, shuffle=None):
    """The micro-batches of one epoch, in Stepwise's order for config's seed, batch size and shuffle.

    rows: the bundle's data/train.jsonl rows in file order (their ids are used; tokenizer encodes rows without
    ids and may be None otherwise). config: run.json (seed, batchSize, shuffle). Evaluation batches are the rows in
    file order: build_batches(eval_rows, tokenizer, config, shuffle=False).
    """
    size = int(config["batchSize"])
    order = epoch_order(len(rows), int(config["seed"]), epoch, config.get("shuffle", True) if shuffle is None else shuffle)
    return [pad_batch([rows[i] for i in order[k : k + size]], tokenizer, config) for k in range(0, len(order), size)]


# ---------------------------------------------------------------- the loss


def task_loss(model, batch):
    """Mean token cross-entropy of one task (labels -100 ignored); half-precision logits are widened to float32 first."""
    logits = model(**batch).logits
    if logits.dtype not in (torch.float32, torch.float64):
        logits = logits.float()
    labels = batch["labels"].to(logits.device)
    return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=IGNORE_INDEX)


def dss_loss(model, label_batch, rationale_batch, a):
    """a * L_label + (1 - a) * L_rationale, with both task losses.

    a = 1 skips the rationale pass (rationale is None, total = label). A batch whose rows have no rationale
    (rationale_batch None) with a < 1 keeps Stepwise's weighting: total = a * label, so gradients match.
    """
    label = task_loss(model, label_batch)
    if a >= 1 or rationale_batch is None:
        return {"total": label if a >= 1 else a * label, "label": label, "rationale": None}
    rationale = task_loss(model, rationale_batch)
    return {"total": a * label + (1 - a) * rationale, "label": label, "rationale": rationale}


def batch_tokens(label_batch, rationale_batch):
    """Padded tokens of a micro-batch (inputs and targets of both tasks), as Stepwise counts tokens per second."""
    return sum(b["input_ids"].numel() + b["labels"].numel() for b in (label_batch, rationale_batch) if b is not None)
