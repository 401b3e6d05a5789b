#!/usr/bin/python3
"""Reference side of bench/data-stats.ts: the dataset statistics of docs/METHOD.md "Dataset statistics" with the real
`sentencepiece` library (Debian python3-sentencepiece). Spawned by the TypeScript bench; run
alone as:  /usr/bin/python3 bench/data_stats_ref.py MODEL DATA.json [REPEATS] [short]

Prints one JSON object: seconds per pass (tokenizing every field of every record and computing
the statistics), the per-record token counts and the statistics, so the bench can check that
both implementations count identically.
"""

import json
import math
import sys
import time

import sentencepiece as spm


def count(sp, text):
    return len(sp.encode(text)) if text else 0


def short_completion(sp, r):
    """The short-completion transform of docs/METHOD.md "The short-completion transform", written from its text (not from our code)."""
    n_ins, n_inp, n_out = count(sp, r["instruction"]), count(sp, r["input"]), count(sp, r["output"])
    if n_out <= n_ins + n_inp:
        return r
    if r["input"]:
        ins = "Predict the prompt that generated the below AI output given the following context. Context: " + r["input"]
    else:
        ins = "Predict the prompt that generated the following AI output."
    return {"instruction": ins, "input": r["output"], "output": r["instruction"]}


def stats(counts):
    """Population mean/std per field, total tokens, completion/prompt ratio (docs/METHOD.md "Dataset statistics")."""
    n = len(counts["instruction"])

    def mean_std(xs):
        m = sum(xs) / n
        return {"mean": m, "std": math.sqrt(sum((x - m) ** 2 for x in xs) / n)}

    ins, inp, out = (mean_std(counts[k]) for k in ("instruction", "input", "output"))
    prompt = ins["mean"] + inp["mean"]
    return {
        "count": n,
        "instruction": ins,
        "input": inp,
        "completion": out,
        "totalTokens": sum(sum(counts[k]) for k in counts),
        "completionPromptRatio": out["mean"] / prompt if prompt > 0 else None,
    }


def main():
    model, data = sys.argv[1], sys.argv[2]
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    short = len(sys.argv) > 4 and sys.argv[4] == "short"
    t0 = time.perf_counter()
    sp = spm.SentencePieceProcessor(model_file=model)
    load_seconds = time.perf_counter() - t0
    with open(data, encoding="utf-8-sig") as f:
        records = json.load(f)
    seconds = []
    result = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        rows = [short_completion(sp, r) for r in records] if short else records
        counts = {k: [count(sp, r[k]) for r in rows] for k in ("instruction", "input", "output")}
        result = stats(counts)
        seconds.append(time.perf_counter() - t0)
    json.dump(
        {
            "sentencepiece": spm.__version__,
            "loadSeconds": load_seconds,
            "seconds": seconds,
            "counts": counts,
            "stats": result,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
