"""Reference figures for the trainer's optimizer path: torch.nn.utils.clip_grad_norm_,
torch.optim.AdamW (decoupled weight decay, norms exempt via a param group as the Hugging Face
Trainer does) and the learning-rate factors of transformers' get_cosine_schedule_with_warmup /
get_constant_schedule_with_warmup (formula copied from transformers/optimization.py, since
transformers is not installed here), driven by fixed seeded gradients.

Regenerate (from the repository root):
    /usr/bin/python3 test/reference/torch/trainer_ref.py
which writes test/reference/torch/trainer-fixtures.json (read by test/train/optimizer.test.ts).
"""

import json
import math
import os

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "trainer-fixtures.json")


def cosine_factor(step, warmup, total):
    if step < warmup:
        return float(step) / float(max(1, warmup))
    progress = float(step - warmup) / float(max(1, total - warmup))
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * 0.5 * 2.0 * progress)))


def constant_factor(step, warmup, total):
    if step < warmup:
        return float(step) / float(max(1.0, warmup))
    return 1.0


def run(kind, total, warmup_ratio, lr, wd, clip, seed):
    rng = np.random.default_rng(seed)
    shapes = {"layer.weight": [3, 4], "layer_norm.weight": [4], "head.weight": [2, 3]}
    init = {n: rng.normal(size=s).astype(np.float32) for n, s in shapes.items()}
    params = {n: torch.tensor(v, requires_grad=True) for n, v in init.items()}
    decay = [p for n, p in params.items() if "norm" not in n]
    no_decay = [p for n, p in params.items() if "norm" in n]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}],
        lr=lr,
        betas=(0.9, 0.999),
        eps=1e-8,
    )
    warmup = math.ceil(total * warmup_ratio)
    factor = cosine_factor if kind == "cosine" else constant_factor
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: factor(s, warmup, total))
    steps = []
    for step in range(total):
        # Gradients of varied size: some steps are clipped (norm > clip), others not.
        scale = 3.0 if step % 2 == 0 else 0.2
        grads = {n: (rng.normal(size=s) * scale).astype(np.float32) for n, s in shapes.items()}
        for n, p in params.items():
            p.grad = torch.tensor(grads[n])
        used_lr = opt.param_groups[0]["lr"]
        norm = float(torch.nn.utils.clip_grad_norm_(list(params.values()), clip))
        opt.step()
        sched.step()
        steps.append(
            {
                "grads": {n: g.ravel().tolist() for n, g in grads.items()},
                "gradNorm": norm,
                "lr": used_lr,
                "params": {n: p.detach().numpy().ravel().tolist() for n, p in params.items()},
            }
        )
    return {
        "kind": kind,
        "totalSteps": total,
        "warmupRatio": warmup_ratio,
        "warmupSteps": warmup,
        "lr": lr,
        "weightDecay": wd,
        "clip": clip,
        "shapes": shapes,
        "init": {n: v.ravel().tolist() for n, v in init.items()},
        "steps": steps,
    }


def main():
    torch.set_num_threads(1)
    fixtures = {
        "about": "Made by test/reference/torch/trainer_ref.py with PyTorch " + torch.__version__,
        "runs": [
            run("cosine", 10, 0.2, 0.05, 0.1, 1.0, 1),
            run("constant", 6, 0.03, 0.01, 0.0, 0.5, 2),
        ],
    }
    with open(OUT, "w") as f:
        json.dump(fixtures, f)
        f.write("\n")


if __name__ == "__main__":
    main()
