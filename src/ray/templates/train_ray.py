"""A Stepwise run as a Ray Train job: the same rows, token ids, loss, schedule, clipping and accumulation, on as many
GPUs as the cluster has. Hugging Face Transformers loads the base model (AutoModelForSeq2SeqLM), PEFT adds LoRA
(QLoRA: the base in bitsandbytes NF4, bf16 compute where the GPU supports it) and Ray Train's TorchTrainer runs one
copy per worker with DistributedDataParallel.

    python train_ray.py --check                       # bundle and plan, needs only torch
    ray job submit --working-dir . -- python train_ray.py --num-workers 4 --use-gpu

Workers: each optimizer step takes grad-accum x workers micro-batches of run.json's batchSize from Stepwise's seeded
order (worker r takes every workers-th one) and DDP averages their gradients, which is Stepwise's accumulation over
that many micro-batches. So 1 worker reproduces the Stepwise run step for step; with N workers set
--grad-accum to run.json's gradAccum / N to keep the same optimizer steps (default: that, when it divides).
Every epoch the eval split is scored (token-weighted, as Stepwise), the schedule and early stopping see it, and
rank 0 reports to Ray a checkpoint holding the best adapter so far (PEFT format), the latest state (for fault
tolerance) and metrics.jsonl. At the end --output gets adapter/ (the best), metrics.jsonl and state.json.
"""
import argparse
import json
import math
import os
import shutil
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

import torch

import stepwise_dss as dss

HERE = Path(__file__).resolve().parent


# ---------------------------------------------------------------- the bundle


def read_jsonl(path):
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise SystemExit("%s:%d: not JSON (%s)" % (path, n, e))
    return rows


def load_bundle(folder):
    folder = Path(folder)
    tokenizer_dir = folder / "tokenizer"
    return {
        "config": json.loads((folder / "run.json").read_text(encoding="utf-8")),
        "meta": json.loads((folder / "bundle.json").read_text(encoding="utf-8")),
        "train": read_jsonl(folder / "data" / "train.jsonl"),
        "eval": read_jsonl(folder / "data" / "eval.jsonl"),
        "tokenizer_files": {p.name: p.read_text(encoding="utf-8") for p in sorted(tokenizer_dir.iterdir()) if p.is_file()},
    }


def plan(bundle, workers, grad_accum):
    """Micro-batches per epoch, optimizer steps per epoch and in all, for this many workers."""
    c = bundle["config"]
    micro = math.ceil(len(bundle["train"]) / c["batchSize"])
    per_step = grad_accum * workers
    steps = math.ceil(micro / per_step)
    return {"micro_per_epoch": micro, "micro_per_step": per_step, "steps_per_epoch": steps, "total_steps": c["maxSteps"] or c["epochs"] * steps}


def default_grad_accum(config, workers):
    return max(1, config["gradAccum"] // workers) if config["gradAccum"] % workers == 0 else config["gradAccum"]


# ---------------------------------------------------------------- the model


def compute_dtype():
    return torch.bfloat16 if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else torch.float16


def start_added_rows_at_mean(weights, ids):
    """As Stepwise, for every method: the added characters' rows start as the mean of the existing rows (the ids
    below the first new one), not as whatever the unused rows held."""
    with torch.no_grad():
        for w in weights:
            w[ids] = w[: min(ids)].double().mean(0).float().to(w.dtype)


def build_model(model_name, bundle, device):
    """The base model as the method wants it, with Stepwise's trainable token rows for LoRA/QLoRA."""
    from transformers import AutoModelForSeq2SeqLM, BitsAndBytesConfig

    c, meta = bundle["config"], bundle["meta"]
    overrides = {} if c["dropoutRate"] is None else {"dropout_rate": c["dropoutRate"]}
    if c["method"] == "qlora":
        quant = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=c["doubleQuant"],
            bnb_4bit_compute_dtype=compute_dtype(),
        )
        index = device.index if device.type == "cuda" else "cpu"
        model = AutoModelForSeq2SeqLM.from_pretrained(model_name, quantization_config=quant, device_map={"": index}, **overrides)
    else:
        model = AutoModelForSeq2SeqLM.from_pretrained(model_name, torch_dtype=torch.float32, **overrides)
    ids = meta["added_token_ids"]
    untied = not model.config.tie_word_embeddings
    if ids:
        layers = [model.get_input_embeddings()] + ([model.get_output_embeddings()] if untied else [])
        start_added_rows_at_mean([layer.weight for layer in layers], ids)
    if c["method"] == "full":
        return model
    from peft import LoraConfig, TaskType, get_peft_model, prepare_model_for_kbit_training

    if c["method"] == "qlora":
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    l = c["lora"]
    names = {n.rsplit(".", 1)[-1] for n, _ in model.named_modules()}
    lora = LoraConfig(
        task_type=TaskType.SEQ_2_SEQ_LM, r=l["rank"], lora_alpha=l["alpha"], lora_dropout=l["dropout"],
        target_modules=[t for t in l["targets"] if t in names], use_rslora=l["rslora"],
        **({"trainable_token_indices": {"shared": ids, "lm_head": ids} if untied else ids} if ids else {}),
    )
    torch.manual_seed(c["seed"])
    peft_model = get_peft_model(model, lora)
    if ids:
        # T5's encoder and decoder hold the embedding as embed_tokens, the very module of shared: point them at what
        # shared is now (the trainable-tokens wrapper), in case PEFT replaced it under that one name only.
        base = peft_model.get_base_model()
        base.set_input_embeddings(base.get_input_embeddings())
    return peft_model


def optimizer_for(model, c):
    """AdamW as Stepwise (betas 0.9/0.999, eps 1e-8): weight decay on matrices, none on norms or biases."""
    decay, rest = [], []
    for name, p in model.named_parameters():
        if p.requires_grad:
            (decay if p.ndim >= 2 and "layer_norm" not in name and "bias" not in name else rest).append(p)
    groups = [{"params": decay, "weight_decay": c["weightDecay"]}, {"params": rest, "weight_decay": 0.0}]
    return torch.optim.AdamW([g for g in groups if g["params"]], lr=c["lr"], betas=(0.9, 0.999), eps=1e-8)


def scheduler_for(opt, c, total_steps):
    """ReduceLROnPlateau on eval loss (PyTorch's, as Stepwise), or Hugging Face's warmup schedules by step."""
    if c["schedule"] == "plateau":
        return torch.optim.lr_scheduler.ReduceLROnPlateau(
            opt, mode="min", factor=c["plateauFactor"], patience=c["plateauPatience"], threshold=1e-4,
            threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8,
        )
    from transformers import get_scheduler

    name = {"constant": "constant_with_warmup", "linear": "linear", "cosine": "cosine"}[c["schedule"]]
    return get_scheduler(name, opt, num_warmup_steps=c["warmupSteps"], num_training_steps=total_steps)


def memory_row(model, opt, device):
    """GPU bytes in Stepwise's categories, as far as PyTorch can tell them apart."""
    if device.type != "cuda":
        return {k: 0 for k in ("weights", "grads", "optimizer", "activations", "scratch")}, 0
    size = lambda t: t.numel() * t.element_size()
    weights = sum(size(p) for p in model.parameters())
    grads = sum(size(p) for p in model.parameters() if p.requires_grad)
    moments = sum(size(v) for s in opt.state.values() for v in s.values() if torch.is_tensor(v))
    allocated = torch.cuda.memory_allocated(device)
    rest = max(0, allocated - weights - grads - moments)
    return {"weights": weights, "grads": grads, "optimizer": moments, "activations": rest, "scratch": 0}, torch.cuda.max_memory_allocated(device)


# ---------------------------------------------------------------- one worker


def all_sum(values, device):
    t = torch.tensor(values, dtype=torch.float64, device=device)
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        torch.distributed.all_reduce(t)
    return t.tolist()


def to_device(batch, device):
    return None if batch is None else {k: v.to(device) for k, v in batch.items()}


def evaluate(model, bundle, a, rank, workers, device):
    """Token-weighted mean losses over the eval split (dropout off); None when the split is empty."""
    rows = bundle["eval"]
    if not rows:
        return None
    c = bundle["config"]
    batches = dss.build_batches(rows, None, c, shuffle=False)[rank::workers]
    sums = [0.0, 0.0, 0.0, 0.0]  # label loss x tokens, label tokens, rationale loss x tokens, rationale tokens
    model.eval()
    with torch.no_grad():
        for label_batch, rationale_batch in batches:
            out = dss.dss_loss(model, to_device(label_batch, device), to_device(rationale_batch, device), a)
            n = int((label_batch["labels"] != dss.IGNORE_INDEX).sum())
            sums[0] += float(out["label"]) * n
            sums[1] += n
            if out["rationale"] is not None:
                m = int((rationale_batch["labels"] != dss.IGNORE_INDEX).sum())
                if m > 0:
                    sums[2] += float(out["rationale"]) * m
                    sums[3] += m
    model.train()
    label_sum, label_n, rationale_sum, rationale_n = all_sum(sums, device)
    label = label_sum / label_n
    rationale = rationale_sum / rationale_n if rationale_n > 0 else None
    return {"total": label if rationale is None else a * label + (1 - a) * rationale, "label": label, "rationale": rationale}


def save_weights(core, folder, tokenizer_files):
    """A PEFT adapter folder (LoRA/QLoRA) or a Hugging Face checkpoint (full), with the run's tokenizer."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    core.save_pretrained(str(folder), safe_serialization=True)
    for name, text in tokenizer_files.items():
        (folder / name).write_text(text, encoding="utf-8")


def restore(core, opt, sched, folder, method):
    from safetensors.torch import load_file

    latest = Path(folder) / "latest"
    if method == "full":
        core.load_state_dict(load_file(str(latest / "model.safetensors")), strict=False)
    else:
        from peft import set_peft_model_state_dict

        set_peft_model_state_dict(core, load_file(str(latest / "adapter_model.safetensors")))
    saved = torch.load(str(latest / "training_state.pt"), map_location="cpu")
    opt.load_state_dict(saved["optimizer"])
    sched.load_state_dict(saved["scheduler"])
    state = json.loads((Path(folder) / "state.json").read_text(encoding="utf-8"))
    metrics = read_jsonl(Path(folder) / "metrics.jsonl") if (Path(folder) / "metrics.jsonl").exists() else []
    return state, metrics


def train_loop(loop_config):
    import ray.train
    import ray.train.torch as ray_torch
    from ray.train import Checkpoint

    bundle = loop_config["bundle"]
    c, meta = bundle["config"], bundle["meta"]
    ctx = ray.train.get_context()
    rank, workers = ctx.get_world_rank(), ctx.get_world_size()
    device = ray_torch.get_device()
    p = plan(bundle, workers, loop_config["grad_accum"])
    total_steps = p["total_steps"]
    a = meta["a"]

    model = build_model(loop_config["model"], bundle, device)
    model = ray_torch.prepare_model(model, move_to_device=c["method"] != "qlora")
    core = model.module if hasattr(model, "module") else model
    model.train()
    params = [q for q in model.parameters() if q.requires_grad]
    opt = optimizer_for(model, c)
    sched = scheduler_for(opt, c, total_steps)
    plateau = c["schedule"] == "plateau"

    state = {"step": 0, "epoch": 0, "micro": 0, "best": None, "bad_evals": 0, "elapsed": 0.0}
    metrics = []
    work = Path(tempfile.mkdtemp(prefix="stepwise-"))
    best_dir = work / "best"
    resumed = ray.train.get_checkpoint()
    if resumed:
        with resumed.as_directory() as folder:
            state, metrics = restore(core, opt, sched, folder, c["method"])
            if (Path(folder) / "best").exists():
                shutil.copytree(Path(folder) / "best", best_dir)

    order = None
    while state["step"] < total_steps:
        if order is None or order[0] != state["epoch"]:
            order = (state["epoch"], dss.build_batches(bundle["train"], None, c, epoch=state["epoch"]))
        group = order[1][state["micro"] : state["micro"] + p["micro_per_step"]]
        mine = group[rank::workers]
        # Every worker takes part in the gradient all-reduce; one without a micro-batch this step adds zeros.
        weight = workers / len(group)
        started = time.perf_counter()
        lr = opt.param_groups[0]["lr"]
        sums = [0.0, 0.0, 0.0, 0.0, 0.0]  # label, rationale, micro-batches with rationale, samples, tokens
        for i, (label_batch, rationale_batch) in enumerate(mine or group[:1]):
            sync = workers == 1 or i == max(len(mine), 1) - 1
            with nullcontext() if sync else model.no_sync():
                out = dss.dss_loss(model, to_device(label_batch, device), to_device(rationale_batch, device), a)
                (out["total"] * (weight if mine else 0.0)).backward()
            if mine:
                sums[0] += float(out["label"])
                if out["rationale"] is not None:
                    sums[1] += float(out["rationale"])
                    sums[2] += 1
                sums[3] += label_batch["input_ids"].shape[0]
                sums[4] += dss.batch_tokens(label_batch, rationale_batch)
        grad_norm = torch.nn.utils.clip_grad_norm_(params, c["maxGradNorm"] if c["maxGradNorm"] > 0 else float("inf"))
        opt.step()
        if not plateau:
            sched.step()
        memory, peak = memory_row(model, opt, device)
        opt.zero_grad(set_to_none=True)
        label_sum, rationale_sum, with_rationale, samples, tokens = all_sum(sums, device)
        seconds = max(time.perf_counter() - started, 1e-9)
        state["step"] += 1
        state["micro"] += len(group)
        state["elapsed"] += seconds
        epoch_ended = state["micro"] >= p["micro_per_epoch"]
        if epoch_ended:
            state["epoch"] += 1
            state["micro"] = 0
        k = len(group)
        loss_label = label_sum / k
        loss_rationale = rationale_sum / k if with_rationale > 0 and a < 1 else None
        row = {
            "kind": "train", "step": state["step"], "epoch": state["epoch"] + state["micro"] / p["micro_per_epoch"],
            "loss": loss_label if loss_rationale is None else a * loss_label + (1 - a) * loss_rationale,
            "loss_label": loss_label, "loss_rationale": loss_rationale, "lr": lr, "grad_norm": float(grad_norm),
            "samples_per_s": samples / seconds, "tokens_per_s": tokens / seconds, "gpu_bytes": memory,
            "gpu_peak_bytes": peak, "elapsed_s": state["elapsed"],
        }
        metrics.append(row)
        if not (epoch_ended or state["step"] >= total_steps):
            continue
        e = evaluate(model, bundle, a, rank, workers, device)
        stop = False
        report = dict(row)
        best = False
        if e is not None:
            eval_row = {
                "kind": "eval", "step": state["step"], "epoch": row["epoch"], "eval_loss": e["total"],
                "eval_loss_label": e["label"], "eval_loss_rationale": e["rationale"],
            }
            metrics.append(eval_row)
            report.update(eval_row)
            if plateau:
                sched.step(e["total"])
            best = state["best"] is None or e["total"] < state["best"]["eval_loss"]
            if best:
                state["best"] = {"step": state["step"], "eval_loss": e["total"], "eval_loss_label": e["label"], "eval_loss_rationale": e["rationale"]}
                state["bad_evals"] = 0
            else:
                state["bad_evals"] += 1
            patience = c["earlyStoppingPatience"]
            stop = patience is not None and state["bad_evals"] >= patience
        report["kind"] = "epoch"
        report["done"] = stop or state["step"] >= total_steps
        if rank != 0:
            ray.train.report(report)
        else:
            if best or not best_dir.exists():
                shutil.rmtree(best_dir, ignore_errors=True)
                save_weights(core, best_dir, bundle["tokenizer_files"])
            folder = Path(tempfile.mkdtemp(prefix="checkpoint-", dir=work))
            shutil.copytree(best_dir, folder / "best")
            save_weights(core, folder / "latest", bundle["tokenizer_files"])
            torch.save({"optimizer": opt.state_dict(), "scheduler": sched.state_dict()}, str(folder / "latest" / "training_state.pt"))
            (folder / "state.json").write_text(json.dumps(state, indent=1) + "\n", encoding="utf-8")
            (folder / "metrics.jsonl").write_text("".join(json.dumps(m) + "\n" for m in metrics), encoding="utf-8")
            ray.train.report(report, checkpoint=Checkpoint.from_directory(str(folder)))
            shutil.rmtree(folder, ignore_errors=True)
        if stop:
            break
    shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------- the driver


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bundle", default=str(HERE), help="the exported bundle (default: this folder)")
    ap.add_argument("--model", help="base model: a hub id or a path every worker can read (default: bundle.json base_model)")
    ap.add_argument("--num-workers", type=int, default=1, help="training workers, one GPU each with --use-gpu")
    ap.add_argument("--use-gpu", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--cpus-per-worker", type=int, default=4)
    ap.add_argument("--grad-accum", type=int, help="micro-batches per worker per step (default: run.json gradAccum / workers when it divides)")
    ap.add_argument("--storage-path", help="Ray Train storage for checkpoints: shared (NFS, s3://, gs://) for multi-node")
    ap.add_argument("--name", help="Ray Train run name (default: bundle.json run_name)")
    ap.add_argument("--max-failures", type=int, default=0, help="restarts from the latest checkpoint after a worker fails")
    ap.add_argument("--output", default=str(HERE / "output"), help="where adapter/, metrics.jsonl and state.json go")
    ap.add_argument("--check", action="store_true", help="read the bundle and print the plan, without Ray")
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    bundle = load_bundle(args.bundle)
    c, meta = bundle["config"], bundle["meta"]
    grad_accum = args.grad_accum or default_grad_accum(c, args.num_workers)
    p = plan(bundle, args.num_workers, grad_accum)
    model = args.model or meta["base_model"]
    print("bundle %s: %d train rows, %d eval rows; method %s, a %s, lr %s, batch %d x %d micro-batches per step (%d workers)"
          % (args.bundle, len(bundle["train"]), len(bundle["eval"]), c["method"], meta["a"], c["lr"], c["batchSize"], p["micro_per_step"], args.num_workers))
    print("%d optimizer steps (%d per epoch); base model %s" % (p["total_steps"], p["steps_per_epoch"], model))
    if args.check:
        first = dss.build_batches(bundle["train"], None, c)[0]
        print("first batch: label %s, rationale %s" % (tuple(first[0]["input_ids"].shape), None if first[1] is None else tuple(first[1]["input_ids"].shape)))
        return 0

    import ray
    from ray.train import CheckpointConfig, FailureConfig, RunConfig, ScalingConfig
    from ray.train.torch import TorchTrainer

    ray.init()
    resources = {"CPU": args.cpus_per_worker, **({"GPU": 1} if args.use_gpu else {})}
    trainer = TorchTrainer(
        train_loop,
        train_loop_config={"bundle": bundle, "model": model, "grad_accum": grad_accum},
        scaling_config=ScalingConfig(num_workers=args.num_workers, use_gpu=args.use_gpu, resources_per_worker=resources),
        run_config=RunConfig(
            name=args.name or meta["run_name"], storage_path=args.storage_path,
            checkpoint_config=CheckpointConfig(num_to_keep=1), failure_config=FailureConfig(max_failures=args.max_failures),
        ),
    )
    result = trainer.fit()
    if result.checkpoint is None:
        raise SystemExit("the job reported no checkpoint (no epoch finished)")
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    with result.checkpoint.as_directory() as folder:
        shutil.rmtree(out / "adapter", ignore_errors=True)
        shutil.copytree(Path(folder) / "best", out / "adapter")
        for name in ("metrics.jsonl", "state.json"):
            shutil.copy(Path(folder) / name, out / name)
    state = json.loads((out / "state.json").read_text(encoding="utf-8"))
    best = state["best"]
    print("done: step %d%s -> %s" % (state["step"], "; best eval loss %.4f at step %d" % (best["eval_loss"], best["step"]) if best else "", out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
