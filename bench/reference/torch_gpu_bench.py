#!/usr/bin/env python3
"""PyTorch on CUDA in float32 for bench/webgpu-gpu.ts: the model, PLW loss, clipping and AdamW of
torch_train_bench.py, on the GPU, with TF32 off (full float32 products, as WebGPU computes).

  python3 bench/reference/torch_gpu_bench.py --vocab 49152 --hidden 576 --intermediate 1536 \
      --layers 30 --heads 9 --batch 8 --seq 512 --steps 5 --warmup 2

Prints one JSON object on stdout; exits 1 with the reason when torch has no CUDA device.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_train_bench import Llama  # noqa: E402  (same model as the CPU reference)


def main():
    p = argparse.ArgumentParser()
    for name in ("vocab", "hidden", "intermediate", "layers", "heads", "batch", "seq"):
        p.add_argument(f"--{name}", type=int, required=True)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--plw", type=float, default=0.1)
    a = p.parse_args()
    if not torch.cuda.is_available():
        print("torch has no CUDA device", file=sys.stderr)
        sys.exit(1)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    dev = torch.device("cuda")
    torch.manual_seed(0)
    model = Llama(a).to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(3, a.vocab, (a.batch, a.seq), generator=g).to(dev)
    targets = torch.roll(ids, -1, dims=1)
    weights = torch.ones(a.batch, a.seq, device=dev)
    weights[:, : a.seq // 2] = a.plw

    def step():
        opt.zero_grad(set_to_none=True)
        logits = model(ids)
        ce = F.cross_entropy(logits.view(-1, a.vocab), targets.view(-1), reduction="none")
        loss = (ce * weights.view(-1)).sum() / weights.sum()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()  # a readback per step, like the webgpu trainer's figures

    first_loss = step()
    for _ in range(a.warmup - 1):
        step()
    times = []
    for _ in range(a.steps):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        step()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - t0) * 1000)
    median = statistics.median(times)
    print(
        json.dumps(
            {
                "engine": "pytorch-cuda-float32",
                "torch": torch.__version__,
                "device": torch.cuda.get_device_name(0),
                "first_loss": first_loss,
                "step_ms": times,
                "median_ms": median,
                "tokens_per_s": a.batch * a.seq / (median / 1000),
                "peak_gpu_mb": torch.cuda.max_memory_allocated() / 2**20,
            }
        )
    )


if __name__ == "__main__":
    main()
