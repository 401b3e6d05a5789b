#!/usr/bin/env python3
"""PLW fine-tuning in PyTorch + Hugging Face transformers, speaking PLW Studio's trainer contract
(README, "Your own trainer and lm-evaluation-harness").

It trains any AutoModelForCausalLM folder the way PLW Studio's built-in engine does (docs/METHOD.md "Sweep"):

- data: Stanford Alpaca's prompt; BOS + template, then output + EOS, tokenized as ONE sequence;
  the prompt region is BOS + the template tokenized alone (as `plw data` does);
- loss: sum(w * CE) / sum(w) over every target of the global batch, w = PLW on prompt targets, 1
  on completion targets (EOS included), 0 on padding (as `plw loss` computes it); the gradient of
  each micro-batch is its share sum_mb(w * CE) / sum_batch(w), so accumulation gives the same
  gradient as one big batch;
- AdamW (betas 0.9/0.999, eps 1e-8; norms and biases without weight decay, like the HF
  Trainer), global gradient-norm clipping, HF's cosine or constant schedule with warmup;
- checkpoints (model, optimizer, scheduler and data position) it resumes from exactly;
- the final model saved with save_pretrained(safe_serialization=True), with its tokenizer.

Stdout carries one JSON object per line: {"total_steps": N}, one {"step", "loss", ...} per
optimizer step, and {"checkpoint": DIR, "step": N} per checkpoint. Everything else goes to
stderr. SIGTERM (pause, cancel) finishes the current step, writes a checkpoint and exits 143.

    python3 plw_train.py --model MODEL_DIR --data data.json --plw 0.1 --seed 42 --out OUT \
        --resume "" --steps 100 --lr 2e-5 --batch-size 128 --max-length 512
"""

import argparse
import json
import math
import os
import shutil
import signal
import sys
import time

import torch
import torch.nn.functional as F
from transformers import AutoModelForCausalLM, AutoTokenizer

PROMPT_WITH_INPUT = (
    "Below is an instruction that describes a task, paired with an input that provides further "
    "context. Write a response that appropriately completes the request.\n\n"
    "### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:"
)
PROMPT_NO_INPUT = (
    "Below is an instruction that describes a task. Write a response that appropriately "
    "completes the request.\n\n### Instruction:\n{instruction}\n\n### Response:"
)


def emit(obj):
    """One contract line on stdout."""
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def note(text):
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def optional_number(kind):
    """argparse type: '' (a placeholder left empty) is None."""

    def parse(text):
        return None if text == "" else kind(text)

    return parse


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="PLW fine-tuning (PLW Studio's trainer contract)")
    p.add_argument("--model", required=True, help="AutoModelForCausalLM folder")
    p.add_argument("--data", required=True, help="Alpaca-format JSON array or JSONL")
    p.add_argument("--plw", type=float, required=True, help="prompt loss weight in [0, 1]")
    p.add_argument("--seed", type=optional_number(int), default=None)
    p.add_argument("--out", required=True, help="folder the final model is saved to")
    p.add_argument("--resume", default="", help="checkpoint folder to resume from ('' = none)")
    p.add_argument("--checkpoints", default="", help="checkpoint root (default: OUT/../checkpoints)")
    p.add_argument("--steps", type=optional_number(int), default=None)
    p.add_argument("--epochs", type=optional_number(float), default=None)
    p.add_argument("--lr", type=optional_number(float), default=None)
    p.add_argument("--batch-size", type=optional_number(int), default=None)
    p.add_argument("--micro-batch-size", type=optional_number(int), default=None)
    p.add_argument("--max-length", type=optional_number(int), default=None)
    p.add_argument("--warmup-ratio", type=float, default=0.03)
    p.add_argument("--schedule", choices=["cosine", "constant"], default="cosine")
    p.add_argument("--weight-decay", type=float, default=0.0)
    p.add_argument("--clip", type=float, default=1.0, help="global gradient-norm clip; 0: off")
    p.add_argument("--checkpoint-every", type=int, default=50)
    p.add_argument("--no-shuffle", action="store_true")
    a = p.parse_args(argv)
    # PLW Studio's TRAIN_DEFAULTS (Alpaca's recipe) for what the sweep left unset.
    a.seed = 42 if a.seed is None else a.seed
    a.lr = 2e-5 if a.lr is None else a.lr
    a.batch_size = 128 if a.batch_size is None else a.batch_size
    a.max_length = 512 if a.max_length is None else a.max_length
    if a.steps is None and a.epochs is None:
        a.epochs = 3.0
    if not 0 <= a.plw <= 1:
        p.error(f"--plw: {a.plw} is outside [0, 1]")
    if a.micro_batch_size is None:
        a.micro_batch_size = next(m for m in range(min(8, a.batch_size), 0, -1) if a.batch_size % m == 0)
    if a.batch_size % a.micro_batch_size != 0:
        p.error(f"--micro-batch-size {a.micro_batch_size} must divide --batch-size {a.batch_size}")
    if a.checkpoints == "":
        a.checkpoints = os.path.join(os.path.dirname(os.path.abspath(a.out)), "checkpoints")
    return a


def read_records(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    stripped = text.lstrip()
    if stripped.startswith("["):
        rows = json.loads(text)
    else:
        rows = [json.loads(line) for line in text.splitlines() if line.strip() != ""]
    records = []
    for i, r in enumerate(rows):
        if not isinstance(r, dict) or not isinstance(r.get("instruction"), str) or not isinstance(
            r.get("output"), str
        ):
            raise SystemExit(f"{path}: record {i}: expected instruction and output strings")
        inp = r.get("input", "")
        records.append({"instruction": r["instruction"], "input": inp if isinstance(inp, str) else "", "output": r["output"]})
    if not records:
        raise SystemExit(f"{path}: the dataset has no records")
    return records


def prompt_text(r):
    if r["input"]:
        return PROMPT_WITH_INPUT.replace("{instruction}", r["instruction"]).replace("{input}", r["input"])
    return PROMPT_NO_INPUT.replace("{instruction}", r["instruction"])


def encode(records, tok, max_length):
    """(ids, prompt_len) per record, as `plw data` (src-worker/train/examples.ts)."""
    bos, eos = tok.bos_token_id, tok.eos_token_id
    out = []
    for r in records:
        prompt = prompt_text(r)
        prompt_ids = [bos] + tok.encode(prompt, add_special_tokens=False)
        full = [bos] + tok.encode(prompt + r["output"], add_special_tokens=False) + [eos]
        ids = full[:max_length]
        out.append((ids, min(len(prompt_ids), len(ids))))
    return out


def collate(examples, plw, pad_id):
    """Right-padded inputs, shifted targets, weights and region masks of one micro-batch."""
    length = max(1, max(len(ids) - 1 for ids, _ in examples))
    b = len(examples)
    ids = torch.full((b, length), pad_id, dtype=torch.long)
    targets = torch.full((b, length), pad_id, dtype=torch.long)
    weights = torch.zeros((b, length), dtype=torch.float32)
    prompt = torch.zeros((b, length), dtype=torch.bool)
    completion = torch.zeros((b, length), dtype=torch.bool)
    tokens = 0
    for row, (seq, prompt_len) in enumerate(examples):
        n = len(seq) - 1
        tokens += n
        if n <= 0:
            continue
        ids[row, :n] = torch.tensor(seq[:n])
        targets[row, :n] = torch.tensor(seq[1:])
        for t in range(n):
            if t + 1 < prompt_len:
                weights[row, t] = plw
                prompt[row, t] = True
            else:
                weights[row, t] = 1.0
                completion[row, t] = True
    return ids, targets, weights, prompt, completion, tokens


def lr_factor(kind, step, warmup, total):
    """transformers' get_cosine_schedule_with_warmup / get_constant_schedule_with_warmup."""
    if step < warmup:
        return float(step) / float(max(1, warmup))
    if kind == "constant":
        return 1.0
    progress = float(step - warmup) / float(max(1, total - warmup))
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * 2.0 * 0.5 * progress)))


def epoch_plan(n, seed, epoch, batch_size, shuffle):
    """Global batches of example indices for one epoch; a pure function of (seed, epoch)."""
    if shuffle:
        g = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
        order = torch.randperm(n, generator=g).tolist()
    else:
        order = list(range(n))
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]


def save_checkpoint(root, step, model, tok, optimizer, scheduler, position):
    final = os.path.join(root, f"step-{step:08d}")
    tmp = final + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    model.save_pretrained(tmp, safe_serialization=True)
    tok.save_pretrained(tmp)
    torch.save({"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}, os.path.join(tmp, "trainer_state.pt"))
    with open(os.path.join(tmp, "position.json"), "w") as f:
        json.dump(position, f)
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)
    emit({"checkpoint": os.path.abspath(final), "step": step})


def main(argv=None):
    a = parse_args(argv)
    stop = {"requested": False}

    def on_term(signum, frame):
        stop["requested"] = True

    signal.signal(signal.SIGTERM, on_term)
    torch.manual_seed(a.seed)
    source = a.resume if a.resume else a.model
    tok = AutoTokenizer.from_pretrained(a.model)
    model = AutoModelForCausalLM.from_pretrained(source, torch_dtype=torch.float32)
    model.train()
    pad_id = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    examples = encode(read_records(a.data), tok, a.max_length)
    truncated = sum(1 for ids, _ in examples if ids[-1] != tok.eos_token_id)
    if truncated:
        note(f"{truncated} of {len(examples)} examples cut at max length {a.max_length}")
    per_epoch = math.ceil(len(examples) / a.batch_size)
    total = a.steps if a.steps is not None else max(1, math.ceil(a.epochs * per_epoch))
    warmup = math.ceil(total * a.warmup_ratio)
    decay = [p for n, p in model.named_parameters() if "norm" not in n.lower() and not n.endswith(".bias")]
    no_decay = [p for n, p in model.named_parameters() if "norm" in n.lower() or n.endswith(".bias")]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": a.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=a.lr,
        betas=(0.9, 0.999),
        eps=1e-8,
    )
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_factor(a.schedule, s, warmup, total))
    step, epoch, batch_index = 0, 0, 0
    if a.resume:
        state = torch.load(os.path.join(a.resume, "trainer_state.pt"))
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        with open(os.path.join(a.resume, "position.json")) as f:
            pos = json.load(f)
        step, epoch, batch_index = pos["step"], pos["epoch"], pos["batch_index"]
        note(f"resumed from {a.resume} at step {step}")
    emit({"total_steps": total})
    params = [p for p in model.parameters()]
    plan = epoch_plan(len(examples), a.seed, epoch, a.batch_size, not a.no_shuffle)

    def position():
        return {"step": step, "epoch": epoch, "batch_index": batch_index}

    while step < total:
        if stop["requested"]:
            save_checkpoint(a.checkpoints, step, model, tok, optimizer, scheduler, position())
            note("SIGTERM: checkpointed, stopping")
            return 143
        if batch_index >= len(plan):
            epoch += 1
            batch_index = 0
            plan = epoch_plan(len(examples), a.seed, epoch, a.batch_size, not a.no_shuffle)
        batch = [examples[i] for i in plan[batch_index]]
        t0 = time.perf_counter()
        micros = [collate(batch[i : i + a.micro_batch_size], a.plw, pad_id) for i in range(0, len(batch), a.micro_batch_size)]
        total_weight = float(sum(m[2].double().sum().item() for m in micros))
        denom = max(total_weight, 1e-12)
        weighted = prompt_sum = completion_sum = 0.0
        prompt_n = completion_n = tokens = 0
        optimizer.zero_grad(set_to_none=True)
        for ids, targets, weights, prompt, completion, n_tokens in micros:
            logits = model(input_ids=ids).logits.float()
            ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), reduction="none").reshape(targets.shape)
            (torch.sum(ce * weights) / denom).backward()
            ce64 = ce.detach().double()
            weighted += float(torch.sum(ce64 * weights.double()))
            prompt_sum += float(ce64[prompt].sum())
            completion_sum += float(ce64[completion].sum())
            prompt_n += int(prompt.sum())
            completion_n += int(completion.sum())
            tokens += n_tokens
        used_lr = optimizer.param_groups[0]["lr"]
        if a.clip > 0:
            grad_norm = float(torch.nn.utils.clip_grad_norm_(params, a.clip))
        else:
            grad_norm = float(torch.norm(torch.stack([p.grad.norm() for p in params if p.grad is not None])))
        optimizer.step()
        scheduler.step()
        step += 1
        batch_index += 1
        seconds = time.perf_counter() - t0
        line = {"step": step, "loss": weighted / total_weight if total_weight > 0 else 0.0, "lr": used_lr, "grad_norm": grad_norm, "tokens": tokens}
        if prompt_n:
            line["prompt_loss"] = prompt_sum / prompt_n
        if completion_n:
            line["completion_loss"] = completion_sum / completion_n
        if seconds > 0:
            line["tokens_per_sec"] = tokens / seconds
        emit(line)
        if a.checkpoint_every > 0 and step % a.checkpoint_every == 0 and step < total:
            save_checkpoint(a.checkpoints, step, model, tok, optimizer, scheduler, position())
    os.makedirs(a.out, exist_ok=True)
    model.save_pretrained(a.out, safe_serialization=True)
    tok.save_pretrained(a.out)
    note(f"saved {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
