#!/usr/bin/env python3
"""PyTorch reference for bench/train-throughput.ts: the same LLaMA model, batch shapes, PLW loss,
global-norm clipping and AdamW as PLW Studio's trainer, timed per optimizer step.

Run by the benchmark (it passes the shapes); by hand, e.g.:
  /usr/bin/python3 bench/reference/torch_train_bench.py --vocab 512 --hidden 128 \
      --intermediate 352 --layers 4 --heads 4 --batch 16 --seq 128 --steps 10 --threads 2
Prints one JSON object on stdout. Needs python3-torch; meaningful only with OpenBLAS
(apt-get install libopenblas0-pthread): Debian's reference BLAS is 8-13x slower (docs/PERF-NOTES.md "Training throughput").
"""
import argparse
import resource
import json
import math
import statistics
import time

import torch
import torch.nn.functional as F


class RMSNorm(torch.nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Block(torch.nn.Module):
    def __init__(self, d, inter, heads, eps, kv_heads=None):
        super().__init__()
        self.heads = heads
        self.kv_heads = kv_heads or heads
        kv = d // heads * self.kv_heads
        self.q_proj = torch.nn.Linear(d, d, bias=False)
        self.k_proj = torch.nn.Linear(d, kv, bias=False)
        self.v_proj = torch.nn.Linear(d, kv, bias=False)
        self.o_proj = torch.nn.Linear(d, d, bias=False)
        self.gate_proj = torch.nn.Linear(d, inter, bias=False)
        self.up_proj = torch.nn.Linear(d, inter, bias=False)
        self.down_proj = torch.nn.Linear(inter, d, bias=False)
        self.input_layernorm = RMSNorm(d, eps)
        self.post_attention_layernorm = RMSNorm(d, eps)

    def forward(self, x, cos, sin, mask):
        b, t, d = x.shape
        hd = d // self.heads
        h = self.input_layernorm(x)
        q = self.q_proj(h).view(b, t, self.heads, hd).transpose(1, 2)  # [B, H, T, hd]
        k = self.k_proj(h).view(b, t, self.kv_heads, hd).transpose(1, 2)
        v = self.v_proj(h).view(b, t, self.kv_heads, hd).transpose(1, 2)
        if self.kv_heads != self.heads:  # grouped-query attention, as transformers' repeat_kv
            k = k.repeat_interleave(self.heads // self.kv_heads, dim=1)
            v = v.repeat_interleave(self.heads // self.kv_heads, dim=1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        scores = q @ k.transpose(-1, -2) / math.sqrt(hd) + mask  # [B, H, T, T]
        att = torch.softmax(scores, dim=-1) @ v  # [B, H, T, hd]
        x = x + self.o_proj(att.transpose(1, 2).reshape(b, t, d))
        h = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h))


class Llama(torch.nn.Module):
    def __init__(self, a):
        super().__init__()
        self.embed_tokens = torch.nn.Embedding(a.vocab, a.hidden)
        self.layers = torch.nn.ModuleList(
            [Block(a.hidden, a.intermediate, a.heads, 1e-5, a.kv_heads) for _ in range(a.layers)]
        )
        self.norm = RMSNorm(a.hidden, 1e-5)
        self.lm_head = torch.nn.Linear(a.hidden, a.vocab, bias=False)
        if a.tied:
            self.lm_head.weight = self.embed_tokens.weight
        hd = a.hidden // a.heads
        inv = 1.0 / (10000 ** (torch.arange(0, hd, 2).float() / hd))
        freqs = torch.outer(torch.arange(a.seq).float(), inv)
        emb = torch.cat((freqs, freqs), dim=-1)
        self.register_buffer("cos", emb.cos())
        self.register_buffer("sin", emb.sin())
        self.register_buffer("mask", torch.full((a.seq, a.seq), float("-inf")).triu(1))
        for p in self.parameters():
            if p.dim() == 2:
                torch.nn.init.normal_(p, std=0.02)

    def forward(self, ids):
        x = self.embed_tokens(ids)
        for layer in self.layers:
            x = layer(x, self.cos, self.sin, self.mask)
        return self.lm_head(self.norm(x))


def blas_library():
    """The BLAS torch loaded, and for OpenBLAS the core its kernels were chosen for."""
    try:
        with open("/proc/self/maps") as f:
            maps = f.read()
    except OSError:
        return "unknown"
    if "openblas" in maps:
        import ctypes

        path = next(l.split()[-1] for l in maps.splitlines() if "openblas" in l)
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            return "openblas (%s kernels)" % lib.openblas_get_corename().decode()
        except (OSError, AttributeError):
            return "openblas"
    for name in ("mkl", "blis"):
        if name in maps:
            return name
    return "reference (slow)" if "libblas" in maps else "unknown"


def main():
    p = argparse.ArgumentParser()
    for name in ("vocab", "hidden", "intermediate", "layers", "heads", "batch", "seq"):
        p.add_argument(f"--{name}", type=int, required=True)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--plw", type=float, default=0.1)
    p.add_argument("--kv-heads", type=int, default=0, help="grouped-query attention (0: = heads)")
    p.add_argument("--tied", type=int, default=0, help="1: lm_head shares the embedding")
    p.add_argument("--micro", type=int, default=0, help="micro-batch size (0: the whole batch)")
    a = p.parse_args()
    started = time.perf_counter()

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Llama(a)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(3, a.vocab, (a.batch, a.seq), generator=g)
    targets = torch.roll(ids, -1, dims=1)
    # First half of each row is prompt (weight PLW), the rest completion (weight 1).
    weights = torch.ones(a.batch, a.seq)
    weights[:, : a.seq // 2] = a.plw

    micro = a.micro or a.batch

    def step():
        opt.zero_grad(set_to_none=True)
        total = 0.0
        # Gradient accumulation: each micro-batch's Σw·CE over the global batch's Σw.
        for s in range(0, a.batch, micro):
            logits = model(ids[s : s + micro])  # [b, T, V]
            ce = F.cross_entropy(
                logits.view(-1, a.vocab), targets[s : s + micro].view(-1), reduction="none"
            )
            loss = (ce * weights[s : s + micro].reshape(-1)).sum() / weights.sum()
            loss.backward()
            total += loss.item()
            del logits, ce, loss
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return total

    first_loss = step()
    first_step_s = time.perf_counter() - started
    for _ in range(a.warmup - 1):
        step()
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    median = statistics.median(times)
    print(
        json.dumps(
            {
                "engine": "pytorch",
                "torch": torch.__version__,
                "blas": blas_library(),
                "threads": torch.get_num_threads(),
                "first_loss": first_loss,
                "first_step_s": first_step_s,
                "step_ms": times,
                "median_ms": median,
                "tokens_per_s": a.batch * a.seq / (median / 1000),
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
