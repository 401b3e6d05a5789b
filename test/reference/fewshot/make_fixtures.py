"""Few-shot draws and contexts of lm-evaluation-harness 0.4, made with Python's own `random`.

lm-evaluation-harness itself cannot be installed on this machine (no PyPI access), so this
script reproduces the code path it runs, read from EleutherAI/lm-evaluation-harness
(lm_eval/api/samplers.py ContextSampler.get_context/sample, lm_eval/api/task.py
set_fewshot_seed, lm_eval/evaluator.py with fewshot_random_seed=1234, TaskConfig defaults):

- the task's sampler holds one `random.Random(1234)` for the whole run;
- documents of the evaluated split are visited in file order (doc_iterator, rank 0, world 1),
  and each one calls `get_context(doc, num_fewshot)` once;
- `get_context` draws `rnd.sample(fewshot_docs, n)` with n = num_fewshot + 1 when
  `config.fewshot_split == config.test_split`, else num_fewshot, drops drawn docs equal to the
  evaluated one and keeps the first num_fewshot;
- ARC (arc_easy.yaml, included by arc_challenge.yaml) sets test_split "test" and no
  fewshot_split: 25 draws from train. WinoGrande (default.yaml) sets neither, so None == None
  and it draws 6 for 5 shots from winogrande_xl's train split (40,398 documents);
- each example is doc_to_text (or doc_to_choice[doc_to_text] for WinoGrande), the target
  delimiter " ", the target, and the few-shot delimiter "\\n\\n"; then the evaluated document.

`rnd.sample` over a list only looks at its length, so indices drawn from a pool of 40,398 are
winogrande_xl's even though train_xl.jsonl is not in ../shared/data (only train_xs/s/m are).
Whole contexts for WinoGrande are therefore rendered with the largest train file present,
train_m (2,558), through the same code path. Document text is not stored: contexts are kept
as SHA-256 digests with their lengths.

Run from the repository root with Debian's python3 (standard library only):
    /usr/bin/python3 test/reference/fewshot/make_fixtures.py > test/reference/fewshot/fixtures.json
"""

import hashlib
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
DATA = os.environ.get("PLW_SHARED_DATA", os.path.join(REPO, "..", "shared", "data"))
BENCH = os.path.join(DATA, "benchmarks")

FEWSHOT_SEED = 1234  # lm_eval.evaluator.simple_evaluate(fewshot_random_seed=1234)
WINOGRANDE_XL_TRAIN = 40398  # HF winogrande/winogrande_xl train split


def jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def sha(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Sampler:
    """ContextSampler with the default `sample`: rnd.sample over the few-shot docs."""

    def __init__(self, docs, same_split):
        self.docs = docs
        self.same_split = same_split
        self.rnd = random.Random(FEWSHOT_SEED)

    def draw(self, doc, num_fewshot):
        n_samples = num_fewshot + 1 if self.same_split else num_fewshot
        fewshotex = self.rnd.sample(self.docs, n_samples)
        return fewshotex, [x for x in fewshotex if x != doc][:num_fewshot]


# ARC in the Hugging Face layout lm-eval reads (ai2_arc): question, choices.text/label, answerKey.
def arc_hf(rec):
    return {
        "id": rec["id"],
        "question": rec["question"]["stem"],
        "choices": {
            "text": [c["text"] for c in rec["question"]["choices"]],
            "label": [c["label"] for c in rec["question"]["choices"]],
        },
        "answerKey": rec["answerKey"],
    }


def arc_text(doc):  # doc_to_text: "Question: {{question}}\nAnswer:"
    return "Question: " + doc["question"] + "\nAnswer:"


def arc_target(doc):  # doc_to_target {{choices.label.index(answerKey)}} -> doc_to_choice[...]
    return doc["choices"]["text"][doc["choices"]["label"].index(doc["answerKey"])]


# WinoGrande in the HF layout (winogrande_xl): sentence, option1, option2, answer.
def wg_hf(rec):
    return {k: rec[k] for k in ("sentence", "option1", "option2", "answer")}


def wg_choices(doc):  # preprocess_winogrande.doc_to_choice
    idx = doc["sentence"].index("_")
    return [doc["sentence"][:idx] + opt for opt in (doc["option1"], doc["option2"])]


def wg_text(doc):  # preprocess_winogrande.doc_to_text
    return {"1": 0, "2": 1}[doc["answer"]]


def wg_target(doc):  # preprocess_winogrande.doc_to_target
    idx = doc["sentence"].index("_") + 1
    return doc["sentence"][idx:].strip()


def labeled(examples, text, target):
    return "".join(text(ex) + " " + target(ex) + "\n\n" for ex in examples)


def index_map(docs):
    ids = {id(d): i for i, d in enumerate(docs)}
    return lambda xs: [ids[id(x)] for x in xs]


def arc_fixture():
    train = [arc_hf(r) for r in jsonl(os.path.join(BENCH, "arc", "ARC-Challenge-Train.jsonl"))]
    test = [arc_hf(r) for r in jsonl(os.path.join(BENCH, "arc", "ARC-Challenge-Test.jsonl"))]
    to_idx = index_map(train)
    sampler = Sampler(train, same_split=False)  # test_split "test", fewshot_split None
    render = {0, 1, 44, 836, 1171}
    indices, contexts = [], []
    for i, doc in enumerate(test):
        _, kept = sampler.draw(doc, 25)
        if i < 50:
            indices.append(to_idx(kept))
        if i in render:
            ctx = labeled(kept, arc_text, arc_target) + arc_text(doc)
            contexts.append({"doc": i, "fewshot": to_idx(kept), "sha256": sha(ctx), "chars": len(ctx)})
    return {
        "task": "arc_challenge",
        "eval": "ARC-Challenge-Test.jsonl",
        "fewshot": "ARC-Challenge-Train.jsonl",
        "pool": len(train),
        "shots": 25,
        "drawsPerDoc": 25,
        "indices": indices,
        "contexts": contexts,
    }


def winogrande_fixture():
    dev = [wg_hf(r) for r in jsonl(os.path.join(BENCH, "winogrande", "dev.jsonl"))]
    # Indices into winogrande_xl train: a pool of its length (rnd.sample reads only len()).
    xl = Sampler(list(range(WINOGRANDE_XL_TRAIN)), same_split=True)
    drawn = [xl.draw(doc, 5)[0] for doc in dev[:50]]
    # Whole contexts through the same path, few-shot docs from train_m.
    train_m = [wg_hf(r) for r in jsonl(os.path.join(BENCH, "winogrande", "train_m.jsonl"))]
    to_idx = index_map(train_m)
    sampler = Sampler(train_m, same_split=True)
    render = {0, 1, 2, 49}
    contexts = []
    for i, doc in enumerate(dev[:50]):
        _, kept = sampler.draw(doc, 5)
        if i in render:
            prefix = labeled(kept, lambda d: wg_choices(d)[wg_text(d)], wg_target)
            ctxs = [prefix + c for c in wg_choices(doc)]
            contexts.append(
                {
                    "doc": i,
                    "fewshot": to_idx(kept),
                    "sha256": [sha(c) for c in ctxs],
                    "chars": [len(c) for c in ctxs],
                    "continuation": sha(" " + wg_target(doc)),
                }
            )
    return {
        "task": "winogrande",
        "eval": "dev.jsonl",
        "pool": WINOGRANDE_XL_TRAIN,
        "shots": 5,
        "drawsPerDoc": 6,
        "drawn": drawn,
        "contextsFewshot": "train_m.jsonl",
        "contextsPool": len(train_m),
        "contexts": contexts,
    }


def random_fixture():
    """Raw generator outputs: int seeding (small, negative, multi-word), both sample regimes."""
    r = random.Random(FEWSHOT_SEED)
    bits = [r.getrandbits(32) for _ in range(4)] + [r.getrandbits(k) for k in (1, 7, 31, 45)]
    pool_regime = r.sample(list(range(50)), 10)  # n <= setsize: partial shuffle of a copy
    set_regime = r.sample(list(range(1119)), 25)  # n > setsize: rejection against a set
    small_k = r.sample(list(range(21)), 5)
    shuffled = list(range(20))
    r.shuffle(shuffled)
    big = random.Random(2**70 + 12345)
    neg = random.Random(-7)
    return {
        "seed1234": {"bits": bits, "pool": pool_regime, "set": set_regime, "smallK": small_k, "shuffle": shuffled},
        "seedBig": [big._randbelow(40398) for _ in range(5)],
        "seedNeg": neg.sample(list(range(30)), 6),
    }


def main():
    out = {
        "python": sys.version.split()[0],
        "follows": "lm-evaluation-harness 0.4 (ContextSampler, fewshot_random_seed 1234); "
        "code path reproduced from EleutherAI/lm-evaluation-harness lm_eval/api/samplers.py "
        "@ 000488380f82f5259902944d7e5b67baa65212b0 and lm_eval/api/task.py",
        "random": random_fixture(),
        "arc_challenge": arc_fixture(),
        "winogrande": winogrande_fixture(),
    }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
