"""Few-shot draws and contexts of the pre-0.4 lm-evaluation-harness, made with Python's own `random`.

The Open LLM Leaderboard pinned EleutherAI/lm-evaluation-harness at
b281b0921b636bc36ad05c0b0b0763bd6dd43463, whose files could not be read here; this script follows
the pre-0.4 code path as it reads, identically, in the versions listed in README.md (same folder):

- lm_eval/evaluator.py `evaluate`, per task: the evaluated split is `test_docs()` when the task
  has one, else `validation_docs()`; `task_docs = list(...)`, then `rnd = random.Random();
  rnd.seed(42); rnd.shuffle(task_docs)`; the documents are visited in that shuffled order, the
  first `limit` of them (`itertools.islice(task_docs, 0, limit)`), and each one calls
  `task.fewshot_context(doc=doc, num_fewshot=num_fewshot, rnd=rnd, description="")` with the
  *same* generator that shuffled them;
- lm_eval/base.py `Task.fewshot_context`: with training docs, `fewshotex =
  self.fewshot_examples(k=num_fewshot, rnd=rnd)`, i.e. `rnd.sample(self._training_docs, k)` (k
  draws, nothing dropped); without them, `rnd.sample(validation-or-test docs, k + 1)` with the
  evaluated doc dropped (not reached here: ARC, PIQA and WinoGrande have training docs, and
  TruthfulQA asserts num_fewshot == 0). The context is `"\\n\\n".join(doc_to_text(ex) +
  doc_to_target(ex) for ex in fewshotex) + "\\n\\n" + doc_to_text(doc)`;
- lm_eval/tasks/arc.py: evaluated on test (has_test_docs), examples from train; `_process_doc`
  maps digit answer keys "1".."5" to letters, `query` = "Question: {question}\\nAnswer:",
  `gold` = "ABCDE".index(answerKey), doc_to_target = " " + choices[gold];
- lm_eval/tasks/winogrande.py (winogrande_xl): no test docs, so evaluated on validation
  (dev.jsonl), examples from train (40,398 documents); doc_to_text = the sentence up to the
  blank with the correct option, doc_to_target = " " + the rest stripped; construct_requests
  replaces the last "\\n\\n" segment of the context by each option's partial context
  (`append_context`) and scores the shared target.

`rnd.shuffle` and `rnd.sample` over a list only look at its length, so draws from winogrande_xl's
train split are indices into a pool of 40,398 even though train_xl.jsonl is not in
../shared/data. Whole WinoGrande contexts are rendered through the same path with the largest
train file present (train_m, 2,558). Document text is not stored: contexts are SHA-256 digests
with their lengths.

Run from the repository root with Debian's python3 (standard library only):
    /usr/bin/python3 test/reference/fewshot/make_leaderboard_fixtures.py > test/reference/fewshot/leaderboard.json
"""

import hashlib
import itertools
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
DATA = os.environ.get("PLW_SHARED_DATA", os.path.join(REPO, "..", "shared", "data"))
BENCH = os.path.join(DATA, "benchmarks")

SHUFFLE_SEED = 42  # evaluator.evaluate: rnd = random.Random(); rnd.seed(42)
WINOGRANDE_XL_TRAIN = 40398  # HF winogrande/winogrande_xl train split
FIRST = 50  # evaluated documents whose draws are stored


def jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def sha(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def evaluate(eval_docs, training_docs, num_fewshot, limit=None):
    """evaluator.evaluate's request loop for one task, yielding (file index, doc, fewshotex).

    Documents carry their file index through the shuffle (a list of pairs is shuffled exactly as
    the list of docs: `shuffle` reads only the length).
    """
    task_docs = list(enumerate(eval_docs))
    rnd = random.Random()
    rnd.seed(SHUFFLE_SEED)
    rnd.shuffle(task_docs)
    for _doc_id, (index, doc) in enumerate(itertools.islice(task_docs, 0, limit)):
        if num_fewshot == 0:
            fewshotex = []
        else:
            fewshotex = rnd.sample(training_docs, num_fewshot)  # Task.fewshot_examples
        yield index, doc, fewshotex


def labeled(examples, text, target):
    """fewshot_context's labeled_examples."""
    return "\n\n".join(text(ex) + target(ex) for ex in examples) + "\n\n"


def index_map(docs):
    ids = {id(d): i for i, d in enumerate(docs)}
    return lambda xs: [ids[id(x)] for x in xs]


# ARC: ARCEasy._process_doc on the ai2_arc row (question, choices.text/label, answerKey).
def arc_doc(rec):
    num_to_letter = {"1": "A", "2": "B", "3": "C", "4": "D", "5": "E"}
    answer = num_to_letter.get(rec["answerKey"], rec["answerKey"])
    return {
        "id": rec["id"],
        "query": "Question: " + rec["question"]["stem"] + "\nAnswer:",
        "choices": [c["text"] for c in rec["question"]["choices"]],
        "gold": ["A", "B", "C", "D", "E"].index(answer),
    }


def arc_text(doc):
    return doc["query"]


def arc_target(doc):  # MultipleChoiceTask.doc_to_target
    return " " + doc["choices"][doc["gold"]]


# WinoGrande in the HF layout (winogrande_xl): sentence, option1, option2, answer "1" | "2".
def wg_doc(rec):
    return {k: rec[k] for k in ("sentence", "option1", "option2", "answer")}


def wg_partial_context(doc, option):
    return doc["sentence"][: doc["sentence"].index("_")] + option


def wg_text(doc):
    return wg_partial_context(doc, doc["option" + doc["answer"]])


def wg_target(doc):
    return " " + doc["sentence"][doc["sentence"].index("_") + 1 :].strip()


def wg_append_context(ctx, partial_ctx):
    ctx = ctx.split("\n\n")
    ctx.pop()
    return "\n\n".join([*ctx, partial_ctx]) if ctx else partial_ctx


def arc_fixture():
    train = [arc_doc(r) for r in jsonl(os.path.join(BENCH, "arc", "ARC-Challenge-Train.jsonl"))]
    test = [arc_doc(r) for r in jsonl(os.path.join(BENCH, "arc", "ARC-Challenge-Test.jsonl"))]
    to_idx = index_map(train)
    render = {0, 1, 49, len(test) - 1}
    order, indices, contexts = [], [], []
    for position, (index, doc, fewshotex) in enumerate(evaluate(test, train, 25)):
        order.append(index)
        if position < FIRST:
            indices.append(to_idx(fewshotex))
        if position in render:
            ctx = labeled(fewshotex, arc_text, arc_target) + arc_text(doc)
            contexts.append(
                {
                    "position": position,
                    "doc": index,
                    "fewshot": to_idx(fewshotex),
                    "sha256": sha(ctx),
                    "chars": len(ctx),
                }
            )
    return {
        "task": "arc_challenge",
        "eval": "ARC-Challenge-Test.jsonl",
        "fewshot": "ARC-Challenge-Train.jsonl",
        "evalDocs": len(test),
        "pool": len(train),
        "shots": 25,
        "order": order[:FIRST],
        "orderSha256": sha(",".join(map(str, order))),
        "indices": indices,
        "contexts": contexts,
    }


def winogrande_fixture():
    dev = [wg_doc(r) for r in jsonl(os.path.join(BENCH, "winogrande", "dev.jsonl"))]
    # Indices into winogrande_xl train: a pool of its length (sample reads only len()).
    xl = list(range(WINOGRANDE_XL_TRAIN))
    order, drawn = [], []
    for position, (index, _doc, fewshotex) in enumerate(evaluate(dev, xl, 5, limit=FIRST)):
        order.append(index)
        drawn.append(fewshotex)
    # Whole contexts through the same path, few-shot docs from train_m.
    train_m = [wg_doc(r) for r in jsonl(os.path.join(BENCH, "winogrande", "train_m.jsonl"))]
    # append_context splits on blank lines: no sentence may hold one, or it would cut there.
    assert not any("\n\n" in d["sentence"] for d in dev + train_m)
    to_idx = index_map(train_m)
    render = {0, 1, 2, 49, len(dev) - 1}
    contexts = []
    for position, (index, doc, fewshotex) in enumerate(evaluate(dev, train_m, 5)):
        if position in render:
            ctx = labeled(fewshotex, wg_text, wg_target) + wg_text(doc)
            full = [wg_append_context(ctx, wg_partial_context(doc, doc[o])) for o in ("option1", "option2")]
            contexts.append(
                {
                    "position": position,
                    "doc": index,
                    "fewshot": to_idx(fewshotex),
                    "sha256": [sha(c) for c in full],
                    "chars": [len(c) for c in full],
                    "continuation": sha(wg_target(doc)),
                }
            )
    return {
        "task": "winogrande",
        "eval": "dev.jsonl",
        "evalDocs": len(dev),
        "pool": WINOGRANDE_XL_TRAIN,
        "shots": 5,
        "order": order,
        "drawn": drawn,
        "contextsFewshot": "train_m.jsonl",
        "contextsPool": len(train_m),
        "contexts": contexts,
    }


def main():
    out = {
        "python": sys.version.split()[0],
        "follows": "pre-0.4 lm-evaluation-harness (Open LLM Leaderboard pin b281b09): "
        "evaluator.evaluate shuffles each task's documents with random.Random seeded 42 and draws "
        "every few-shot example with the same generator (Task.fewshot_examples: rnd.sample(train, k)); "
        "code path as read in the versions listed in test/reference/fewshot/README.md",
        "arc_challenge": arc_fixture(),
        "winogrande": winogrande_fixture(),
    }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
