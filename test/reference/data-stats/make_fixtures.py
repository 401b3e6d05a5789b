#!/usr/bin/env python3
"""Reference dataset statistics (docs/METHOD.md "Dataset statistics" and the short-completion
transform), computed independently of PLW Studio with numpy and the `sentencepiece` library.

Regenerate from the repository root:
    /usr/bin/python3 test/reference/data-stats/make_fixtures.py > test/reference/data-stats/expected.json

Needs Debian's python3-numpy and python3-sentencepiece. Writes only numbers and file names.
"""
import json
import os
import sys

import numpy as np
import sentencepiece as spm

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SHARED = os.environ.get("PLW_SHARED_DATA", os.path.join(ROOT, "..", "shared", "data"))
FILES = {
    "gsm_8k_train.json": os.path.join(SHARED, "instructions", "gsm_8k_train.json"),
    "gpteacher_roleplay-simple-deduped-roleplay-dataset.json": os.path.join(
        SHARED, "instructions", "gpteacher_roleplay-simple-deduped-roleplay-dataset.json"),
    "gpteacher_toolformer-dedupe-only-dataset.json": os.path.join(
        SHARED, "instructions", "gpteacher_toolformer-dedupe-only-dataset.json"),
    "resources/demo/demo-long.jsonl": os.path.join(ROOT, "resources", "demo", "demo-long.jsonl"),
}

NO_INPUT = "Predict the prompt that generated the following AI output."
WITH_INPUT = ("Predict the prompt that generated the below AI output given the following "
              "context. Context: ")


def load(path):
    with open(path, encoding="utf-8-sig") as f:
        if path.endswith(".jsonl"):
            rows = [json.loads(line) for line in f if line.strip()]
        else:
            rows = json.load(f)
    return [(r["instruction"], r.get("input", ""), r["output"]) for r in rows]


def short(rec, count):
    ins, inp, out = rec
    if count(out) > count(ins) + count(inp):
        return (NO_INPUT if inp == "" else WITH_INPUT + inp, out, ins), True
    return rec, False


def stats(records, count, apply_short):
    changed = 0
    counts = []
    for rec in records:
        if apply_short:
            rec, was = short(rec, count)
            changed += was
        counts.append([count(t) for t in rec])
    a = np.array(counts, dtype=np.float64)
    mean = a.mean(axis=0)
    std = a.std(axis=0)  # population (ddof=0)
    ms = lambda i: {"mean": float(mean[i]), "std": float(std[i])}
    return {
        "count": len(records),
        "instruction": ms(0),
        "input": ms(1),
        "completion": ms(2),
        "totalTokens": int(a.sum()),
        "completionPromptRatio": float(mean[2] / (mean[0] + mean[1])),
        "transformed": changed,
    }


def main():
    sp = spm.SentencePieceProcessor(model_file=os.path.join(SHARED, "tokenizer.model"))
    tokenizers = {
        "byte": lambda t: len(t.encode("utf-8")),
        "sentencepiece": lambda t: 0 if t == "" else len(sp.encode(t)),
    }
    out = {}
    for name, path in FILES.items():
        records = load(path)
        out[name] = {
            tok: {"plain": stats(records, count, False), "short": stats(records, count, True)}
            for tok, count in tokenizers.items()
        }
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
