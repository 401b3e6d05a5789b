"""Writes the PyTorch reference fixtures the TypeScript model tests compare against.

Run from the repository root (Debian's python3-torch; no transformers needed):
    /usr/bin/python3 test/reference/torch/make_fixtures.py
Outputs test/reference/torch/fixtures/: four tiny random HF LlamaForCausalLM directories
(untied F32, F16 and BF16 copies; tied F32) and reference.json (see its "about" fields).
"""
import json
import math
import os
import shutil

import torch

from llama_ref import (
    Config,
    collate,
    forward,
    greedy,
    load_safetensors,
    param_shapes,
    plw_loss,
    save_safetensors,
)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")
torch.set_num_threads(1)


def rounded(t, digits=7):
    return [float(f"{x:.{digits}g}") for x in t.detach().reshape(-1).tolist()]


def random_params(c, seed):
    """normal(0, 0.1) projections/embeddings, norms 1 + normal(0, 0.1): large enough that the
    logits are far from uniform and the norm weights matter."""
    g = torch.Generator().manual_seed(seed)
    P = {}
    for name, shape in param_shapes(c):
        if name.endswith("norm.weight"):
            P[name] = 1 + 0.1 * torch.randn(shape, generator=g)
        else:
            P[name] = 0.1 * torch.randn(shape, generator=g)
    return P


def write_dir(name, c, P, dtype):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    cfg = c.to_hf()
    cfg["torch_dtype"] = {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[dtype]
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    save_safetensors(os.path.join(d, "model.safetensors"), [(n, P[n]) for n, _ in param_shapes(c)], dtype)
    # What the TS loader sees: the stored values widened back to float32.
    return load_safetensors(os.path.join(d, "model.safetensors"))


# Formula weights for the LLaMA-vocabulary checkpoint (too big to check in: TS builds the same
# file at test time, see test/model/formula-checkpoint.ts). Element i of the k-th parameter in
# param_shapes order: an integer hash of (i, k) mapped to uniform [-0.1, 0.1); norm weights 1.
# Integer arithmetic mod 2^32 is exact in both languages (JS: Math.imul and >>> 0).
def formula_hash(i, k):
    m = 0xFFFFFFFF
    h = (i * 0x9E3779B1 + (k + 1) * 0x85EBCA77) & m
    h ^= h >> 15
    h = (h * 0x2C1B3C6D) & m
    h ^= h >> 12
    h = (h * 0x297A2D39) & m
    h ^= h >> 15
    return h


def formula_params(c):
    P = {}
    for k, (name, shape) in enumerate(param_shapes(c)):
        n = math.prod(shape)
        if name.endswith("norm.weight"):
            P[name] = torch.ones(shape)
        else:
            i = torch.arange(n, dtype=torch.int64)
            h = formula_hash(i, k).double()
            P[name] = ((h / 2**32 - 0.5) * 0.2).float().reshape(shape)
    return P


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    base = dict(
        vocab_size=384,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=64,
        rms_norm_eps=1e-6,
        rope_theta=10000.0,
        bos_token_id=1,
        eos_token_id=2,
        pad_token_id=0,
    )
    untied = Config(**base, tie_word_embeddings=False)
    tied = Config(**base, tie_word_embeddings=True)
    P_untied = write_dir("llama-untied-f32", untied, random_params(untied, 1), "F32")
    P_f16 = write_dir("llama-untied-f16", untied, P_untied, "F16")
    P_bf16 = write_dir("llama-untied-bf16", untied, P_untied, "BF16")
    P_tied = write_dir("llama-tied-f32", tied, random_params(tied, 2), "F32")

    ids = torch.tensor([[1, 5, 77, 300, 12, 9, 250, 3], [1, 44, 45, 46, 0, 0, 0, 0]])
    pad = 0
    examples = [
        {"ids": [1, 17, 250, 33, 90, 91, 92, 93, 2], "promptLen": 4},
        {"ids": [1, 100, 101, 102, 103, 104, 105, 200, 201, 202, 203, 2], "promptLen": 7},
        # truncated inside the prompt: no completion targets in this row
        {"ids": [1, 60, 61, 62, 63, 64], "promptLen": 6},
    ]
    ref = {
        "about": "Made by test/reference/torch/make_fixtures.py with PyTorch "
        + torch.__version__
        + " (llama_ref.py, float32, 1 thread).",
        "logitsIds": ids.tolist(),
        "padId": pad,
        "examples": examples,
        "models": {},
    }
    with torch.no_grad():
        for name, c, P in [
            ("llama-untied-f32", untied, P_untied),
            ("llama-tied-f32", tied, P_tied),
            ("llama-untied-f16", untied, P_f16),
            ("llama-untied-bf16", untied, P_bf16),
        ]:
            logits = forward(c, P, ids)
            if name.endswith("f32"):
                entry = {"logits": rounded(logits), "logitsShape": list(logits.shape)}
            else:
                # half-precision copies: the last position of each row is enough to tell
                # their widened weights apart from the F32 ones
                entry = {"lastLogits": rounded(logits[:, -1]), "lastLogitsShape": [2, c.vocab_size]}
            entry["greedyPrompt"] = [1, 17, 250, 33]
            entry["greedyIds"] = greedy(c, P, entry["greedyPrompt"], 10)
            entry["losses"] = {}
            for plw in [0.0, 0.1, 1.0]:
                r = plw_loss(c, P, examples, plw, pad)
                r["loss"] = float(r["loss"])
                entry["losses"][str(plw)] = r
            ref["models"][name] = entry

    # Gradient norm of the weighted loss and 3 AdamW steps (untied model, all three examples as
    # one batch, PLW 0.1), for the model and the trainer's optimizer tests.
    adam = {
        "about": "untied F32 model; batch = the three examples (one micro-batch), PLW 0.1; each step: "
        "loss, backward, clip_grad_norm_(all params, 1.0), torch.optim.AdamW step; weight decay "
        "applies to every parameter (norms and embeddings included)",
        "model": "llama-untied-f32",
        "plw": 0.1,
        "lr": 1e-2,
        "betas": [0.9, 0.999],
        "eps": 1e-8,
        "weightDecay": 0.01,
        "clip": 1.0,
        "steps": [],
    }
    params = {n: P_untied[n].clone().requires_grad_(True) for n, _ in param_shapes(untied)}
    opt = torch.optim.AdamW(
        list(params.values()), lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01
    )
    for _ in range(3):
        opt.zero_grad()
        loss = plw_loss(untied, params, examples, 0.1, pad)["loss"]
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(list(params.values()), 1.0)
        adam["steps"].append({"loss": float(loss), "gradNorm": float(gn)})
        opt.step()
    with torch.no_grad():
        adam["lossAfter"] = float(plw_loss(untied, params, examples, 0.1, pad)["loss"])
    ref["gradNormPlw0.1"] = adam["steps"][0]["gradNorm"]
    ref["adamw"] = adam

    # LLaMA-vocabulary model from the formula (weights not checked in).
    fc = Config(
        vocab_size=32000,
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=2048,
        rms_norm_eps=1e-5,
        rope_theta=10000.0,
        tie_word_embeddings=True,
        bos_token_id=1,
        eos_token_id=2,
        pad_token_id=None,
    )
    FP = formula_params(fc)
    fids = [1, 15043, 3186, 29991, 450, 4996]
    with torch.no_grad():
        last = forward(fc, FP, torch.tensor([fids]))[0, -1]
        top = torch.topk(last, 5)
        ref["formulaModel"] = {
            "about": "32000-vocab LLaMA built from formula_params() (make_fixtures.py) and by "
            "buildFormulaCheckpoint (test/model/formula-checkpoint.ts)",
            "config": fc.to_hf(),
            "ids": fids,
            "lastLogsumexp": float(torch.logsumexp(last, 0)),
            "lastTopIds": top.indices.tolist(),
            "lastTopLogits": rounded(top.values),
            "greedyIds": greedy(fc, FP, fids, 5),
        }
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump(ref, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
