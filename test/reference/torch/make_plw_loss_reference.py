"""The PLW loss in float64: the reference test/model/plw-loss-32k.test.ts holds every PLW to.

Run from the repository root (Debian's python3-torch and python3-sentencepiece):
    /usr/bin/python3 test/reference/torch/make_plw_loss_reference.py [SHARED_DATA]
SHARED_DATA defaults to ../shared/data beside the repository (the test reads PLW_SHARED_DATA
the same way). Writes test/reference/torch/fixtures/plw-loss-32k.json.

Model: the 32000-vocabulary formula LLaMA of make_fixtures.py (weights from formula_params,
built identically by test/model/formula-checkpoint.ts), evaluated in float64. Data: the first 8
Stanford Alpaca seed tasks (instruction, first instance's input and output), encoded as docs/METHOD.md
"Data" says with the LLaMA SentencePiece tokenizer and truncated to 128 tokens. For each PLW the
loss, prompt and completion losses are given in float64 and, for comparison, as PyTorch
computes them in float32.
"""
import json
import os
import sys

import sentencepiece
import torch

from llama_ref import Config, plw_loss
from make_fixtures import formula_params

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
MAX_LENGTH = 128
PLWS = ["0", "0.01", "0.1", "0.5", "1"]

PROMPT_WITH_INPUT = (
    "Below is an instruction that describes a task, paired with an input that provides further "
    "context. Write a response that appropriately completes the request.\n\n"
    "### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:"
)
PROMPT_NO_INPUT = (
    "Below is an instruction that describes a task. Write a response that appropriately "
    "completes the request.\n\n### Instruction:\n{instruction}\n\n### Response:"
)


def encode(sp, record):
    """BOS + encode(prompt + output) + EOS as one sequence; the prompt region is BOS + prompt."""
    if record["input"]:
        prompt = PROMPT_WITH_INPUT.format(instruction=record["instruction"], input=record["input"])
    else:
        prompt = PROMPT_NO_INPUT.format(instruction=record["instruction"])
    prompt_ids = [sp.bos_id()] + sp.encode(prompt)
    ids = ([sp.bos_id()] + sp.encode(prompt + record["output"]) + [sp.eos_id()])[:MAX_LENGTH]
    return {"ids": ids, "promptLen": min(len(prompt_ids), len(ids))}


def main():
    shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(REPO), "shared", "data")
    sp = sentencepiece.SentencePieceProcessor(model_file=os.path.join(shared, "tokenizer.model"))
    records = []
    with open(os.path.join(shared, "instructions", "stanford_alpaca_seed_tasks.jsonl")) as f:
        for line in f:
            task = json.loads(line)
            inst = task["instances"][0]
            records.append({"instruction": task["instruction"], "input": inst["input"], "output": inst["output"]})
            if len(records) == 8:
                break
    examples = [encode(sp, r) for r in records]
    with open(os.path.join(HERE, "fixtures", "reference.json")) as f:
        c = Config(**json.load(f)["formulaModel"]["config"])
    P32 = formula_params(c)
    P64 = {k: v.double() for k, v in P32.items()}
    pad = 0
    losses = {}
    with torch.no_grad():
        for plw in PLWS:
            r64 = plw_loss(c, P64, examples, float(plw), pad)
            r32 = plw_loss(c, P32, examples, float(plw), pad)
            losses[plw] = {
                "loss": float(r64["loss"]),
                "promptLoss": r64["promptLoss"],
                "completionLoss": r64["completionLoss"],
                "promptTargets": r64["promptTargets"],
                "completionTargets": r64["completionTargets"],
                "float32Loss": float(r32["loss"]),
            }
    out = {
        "about": "PLW loss of the formula 32k-vocab LLaMA on 8 Alpaca seed tasks (max length 128) "
        "in float64; float32Loss is PyTorch's float32 value. By make_plw_loss_reference.py.",
        "command": "/usr/bin/python3 test/reference/torch/make_plw_loss_reference.py",
        "maxLength": MAX_LENGTH,
        "padId": pad,
        "records": records,
        "examples": examples,
        "losses": losses,
    }
    with open(os.path.join(HERE, "fixtures", "plw-loss-32k.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
