"""Reference log-likelihoods for test/eval/reference.test.ts, built the lm-evaluation-harness way.

Task construction uses lm-evaluation-harness's own task files: the YAML templates of arc,
piqa and truthfulqa_mc1 rendered with Jinja2 as lm_eval.utils.apply_template does, and
winogrande's preprocess_winogrande.py functions; requests are assembled as
ConfigurableTask.fewshot_context/construct_requests do (target delimiter " ", few-shot
delimiter "\\n\\n"), tokenized as HFLM._encode_pair does with add_bos_token=False (legacy
SentencePiece LLaMA tokenizer = sentencepiece's encode), and scored as
HFLM._loglikelihood_tokens does: input (context + continuation)[-(max_len + 1):][:-1], summed
log-softmax over the continuation positions. The model is the 32000-vocabulary "formula"
LLaMA of test/reference/torch (llama_ref.forward, make_fixtures.formula_params), so the
TypeScript test rebuilds the same weights without a checked-in weights file.

Real PIQA/TruthfulQA documents are referred to by index only (no shared data text here);
the context and continuation strings are stored as SHA-256 digests.

Run from the repository root (needs torch, sentencepiece, jinja2, pyyaml, and an unpacked
lm-evaluation-harness 0.4.x, e.g. `unzip lm_eval-0.4.13-py3-none-any.whl -d /tmp/lmeval`):
    python3 test/reference/lmeval/make_fixtures.py --lm-eval /tmp/lmeval/lm_eval
"""

import argparse
import ast
import hashlib
import importlib.util
import json
import os
import sys

import jinja2
import sentencepiece
import torch
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
TORCH_REF = os.path.join(REPO, "test", "reference", "torch")
sys.path.insert(0, TORCH_REF)
from llama_ref import Config, forward  # noqa: E402


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


formula_params = load_module("torch_make_fixtures", os.path.join(TORCH_REF, "make_fixtures.py")).formula_params
torch.set_num_threads(1)


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_constructor("!function", lambda loader, node: loader.construct_scalar(node))

ENV = jinja2.Environment(loader=jinja2.BaseLoader, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def render(template, doc):
    return ENV.from_string(template).render(**doc)


def task_yaml(lm_eval, *parts):
    with open(os.path.join(lm_eval, "tasks", *parts)) as f:
        cfg = yaml.load(f, Loader=_Loader)
    if "include" in cfg:
        base = task_yaml(lm_eval, *parts[:-1], cfg["include"])
        base.update({k: v for k, v in cfg.items() if k != "include"})
        cfg = base
    return cfg


class TemplateTask:
    """doc_to_text / doc_to_choice / doc_to_target of a YAML task (Jinja templates)."""

    def __init__(self, cfg):
        self.cfg = cfg

    def text(self, doc):
        return render(self.cfg["doc_to_text"], doc)

    def choices(self, doc):
        return ast.literal_eval(render(self.cfg["doc_to_choice"], doc))

    def gold(self, doc):
        t = self.cfg["doc_to_target"]
        return t if isinstance(t, int) else int(render(t, doc)) if "{{" in t else doc[t]

    def requests(self, doc, shots=()):
        prefix = "".join(f"{self.text(d)} {self.choices(d)[self.gold(d)]}\n\n" for d in shots)
        ctx = prefix + self.text(doc)
        choices = self.choices(doc)
        return [(ctx, " " + c) for c in choices], [len(c) for c in choices], self.gold(doc)


class WinograndeTask:
    """lm-eval's multiple-input task: options in the context, shared continuation."""

    def __init__(self, lm_eval):
        self.pre = load_module("preprocess_winogrande", os.path.join(lm_eval, "tasks", "winogrande", "preprocess_winogrande.py"))

    def requests(self, doc, shots=()):
        p = self.pre
        prefix = "".join(f"{p.doc_to_choice(d)[p.doc_to_text(d)]} {p.doc_to_target(d)}\n\n" for d in shots)
        choices = p.doc_to_choice(doc)
        cont = " " + p.doc_to_target(doc)
        return [(prefix + c, cont) for c in choices], [len(c) for c in choices], p.doc_to_text(doc)


def encode_pair(sp, context, continuation):
    """HFLM loglikelihood tokenization, add_bos_token=False (lm_eval/api/model.py)."""
    if context == "":
        cont = sp.encode(continuation)
        return [1], cont
    n = len(context) - len(context.rstrip())
    if n > 0:
        continuation = context[-n:] + continuation
        context = context[:-n]
    whole = sp.encode(context + continuation)
    ctx = sp.encode(context)
    return ctx, whole[len(ctx):]


def loglikelihood(c, P, ctx, cont):
    full = (ctx + cont)[-(c.max_position_embeddings + 1):]
    inp = torch.tensor([full[:-1]])
    with torch.no_grad():
        logits = forward(c, P, inp)[0].double()
    logprobs = torch.log_softmax(logits, dim=-1)[-len(cont):]
    target = torch.tensor(cont)
    picked = logprobs.gather(1, target[:, None])[:, 0]
    greedy = bool((logprobs.argmax(-1) == target).all())
    return float(picked.sum()), greedy


def sha(s):
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lm-eval", required=True, help="the lm_eval package directory")
    ap.add_argument("--data", default=os.path.join(REPO, "..", "shared", "data"))
    args = ap.parse_args()

    ref = json.load(open(os.path.join(TORCH_REF, "fixtures", "reference.json")))
    c = Config(**{k: v for k, v in ref["formulaModel"]["config"].items() if k not in ("architectures", "model_type", "hidden_act", "torch_dtype")})
    P = formula_params(c)
    sp = sentencepiece.SentencePieceProcessor(model_file=os.path.join(args.data, "tokenizer.model"))

    arc = TemplateTask(task_yaml(args.lm_eval, "arc", "arc_challenge.yaml"))
    piqa = TemplateTask(task_yaml(args.lm_eval, "piqa", "piqa.yaml"))
    tqa = TemplateTask(task_yaml(args.lm_eval, "truthfulqa", "truthfulqa_mc1.yaml"))
    wino = WinograndeTask(args.lm_eval)

    # Hand-written documents in the HF layouts (ARC answer keys as letters and as digits).
    arc_docs = [
        {"question": "Which gas do plants take in for photosynthesis?", "choices": {"text": ["oxygen", "carbon dioxide", "nitrogen", "helium"], "label": ["A", "B", "C", "D"]}, "answerKey": "B"},
        {"question": "What melts ice fastest on a road?", "choices": {"text": ["salt", "sand", "sawdust"], "label": ["1", "2", "3"]}, "answerKey": "1"},
    ]
    arc_train = [{"question": "What is the boiling point of water at sea level?", "choices": {"text": ["50 °C", "100 °C"], "label": ["A", "B"]}, "answerKey": "B"}]
    wino_docs = [
        {"sentence": "The trophy didn't fit in the suitcase because the _ was too big.", "option1": "trophy", "option2": "suitcase", "answer": "1"},
        {"sentence": "Sarah lent Maria a book because _ had already finished reading it.", "option1": "Sarah", "option2": "Maria", "answer": "1"},
    ]
    wino_train = [{"sentence": "The cat chased the mouse until the _ got tired.", "option1": "cat", "option2": "mouse", "answer": "1"}]

    piqa_docs = read_jsonl(os.path.join(args.data, "benchmarks", "piqa", "valid.jsonl"))
    with open(os.path.join(args.data, "benchmarks", "piqa", "valid-labels.lst")) as f:
        labels = [int(x) for x in f.read().split()]
    for d, label in zip(piqa_docs, labels):
        d["label"] = label
    tqa_raw = json.load(open(os.path.join(args.data, "benchmarks", "truthfulqa", "data", "mc_task.json"), encoding="utf-8"))

    def tqa_doc(d):
        return {"question": d["question"], "mc1_targets": {"choices": list(d["mc1_targets"].keys()), "labels": list(d["mc1_targets"].values())}}

    cases = []

    def add(task, name, built, doc_index=None, docs=None, shots=0, train=None, store_text=True):
        reqs, lengths, gold = built
        out = []
        for ctx, cont in reqs:
            ctx_ids, cont_ids = encode_pair(sp, ctx, cont)
            ll, greedy = loglikelihood(c, P, ctx_ids, cont_ids)
            r = {"contextIds": ctx_ids, "continuationIds": cont_ids, "loglikelihood": ll, "isGreedy": greedy, "sha256": sha(ctx + "\x00" + cont)}
            if store_text:
                r["context"], r["continuation"] = ctx, cont
            out.append(r)
        case = {"task": task, "name": name, "shots": shots, "gold": gold, "choiceLengths": lengths, "requests": out}
        if doc_index is not None:
            case["docIndex"] = doc_index
        if docs is not None:
            case["doc"] = docs
        if train is not None:
            case["train"] = train
        cases.append(case)

    for i, d in enumerate(arc_docs):
        add("arc_challenge", f"hand-written {i}", arc.requests(d), docs=d)
    add("arc_challenge", "1-shot", arc.requests(arc_docs[0], arc_train), docs=arc_docs[0], shots=1, train=arc_train)
    for i in (0, 1, 2):
        add("piqa", f"valid.jsonl doc {i}", piqa.requests(piqa_docs[i]), doc_index=i, store_text=False)
    for i in (0, 1):
        add("truthfulqa_mc1", f"mc_task.json doc {i}", tqa.requests(tqa_doc(tqa_raw[i])), doc_index=i, store_text=False)
    for i, d in enumerate(wino_docs):
        add("winogrande", f"hand-written {i}", wino.requests(d), docs=d)
    add("winogrande", "1-shot", wino.requests(wino_docs[1], wino_train), docs=wino_docs[1], shots=1, train=wino_train)
    raw = [("The capital of France is ", "Paris."), ("", "Hello world"), ("Q: What is 2+2?\nA:", " 4")]
    add("raw", "trailing space, empty context, plain", (raw, [0] * len(raw), 0))

    # Translation: the prompt of docs/METHOD.md "Evaluation", greedy decoding (no BOS, as the log-likelihood requests),
    # decoded and cut at the first "\n" as lm-eval's generate_until does.
    from llama_ref import greedy

    generations = []
    for src, tgt, source in [("en", "fr", "The house is small."), ("de", "en", "Guten Morgen, wie geht es dir?")]:
        names = {"en": "English", "fr": "French", "de": "German"}
        prompt = f"Translate the following from {names[src]} to {names[tgt]}.\n{source}\n"
        ids = greedy(c, P, sp.encode(prompt), 12)
        text = sp.decode([i for i in ids if i != c.eos_token_id]).split("\n")[0]
        generations.append({"pair": {"src": src, "tgt": tgt}, "source": source, "promptIds": sp.encode(prompt), "ids": ids, "prediction": text})

    out = {
        "generations": generations,
        "about": "lm-eval-built requests scored by test/reference/torch's formula LLaMA; see make_fixtures.py",
        "tolerance": "summed log-probs agree to 2e-3 absolute (float32 in TS vs float32 forward, float64 log-softmax here)",
        "cases": cases,
    }
    with open(os.path.join(HERE, "fixtures.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
