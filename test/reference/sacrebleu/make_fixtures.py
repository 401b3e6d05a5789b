"""Reference BLEU values from sacreBLEU for test/bleu/*.test.ts.

Hand-written hypotheses/references (no shared data) covering the cases where BLEU
implementations drift: empty hypotheses, fewer than four tokens, unicode, punctuation,
numbers with commas/periods, hyphens, case, XML entities, multiple references.
Run: python3 test/reference/sacrebleu/make_fixtures.py  (needs sacrebleu==2.6.0)
"""

import json
import os

import sacrebleu
from sacrebleu.metrics import BLEU
from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

TOKENIZE = [
    "Hello, world!",
    "It costs $1,000.50 &amp; more.",
    "The 3-4 split was 12.5% (approx.) of U.S. cases.",
    "&quot;Quoted&quot; &lt;tag&gt; &amp;amp; end",
    "hyphen-ated words and 2-3 numbers-9",
    "line one-\nline two\nthree",
    "tabs\tand\u3000ideographic\u00a0spaces\x85nel\ufeffbom\x1cfs",
    "Ünïcödé café — naïve façade… 😀.",
    "<skipped> dropped token",
    "a.b,c 1.2,3 .5 5. ,x",
    "   leading and trailing   ",
    "{braces} [brackets] `tick` ~tilde ^caret _under |pipe \\back",
    "",
]

SENTENCES = [
    ("empty hypothesis", "", ["The cat sat on the mat."]),
    ("one token", "cat", ["The cat sat on the mat."]),
    ("three tokens", "the cat sat", ["The cat sat on the mat."]),
    ("exact match", "The cat sat on the mat.", ["The cat sat on the mat."]),
    ("case differs", "the Cat sat on The mat.", ["The cat sat on the mat."]),
    ("no match", "Completely different words here", ["The cat sat on the mat."]),
    ("longer than reference", "The cat sat on the mat and then it slept all day long.", ["The cat sat on the mat."]),
    ("unicode", "Le chat s'est assis sur le tapis — très été.", ["Le chat était assis sur le tapis, très été."]),
    ("numbers", "Revenue rose 3.5% to $1,200.75 in 2014-2015.", ["Revenue rose by 3.5% to $1,200.75 in 2014-2015."]),
    ("punctuation", "Wait... what?! (Really.)", ["Wait, what? (Really!)"]),
    ("multiple references", "the cat is on the mat", ["there is a cat on the mat", "a cat is on the mat"]),
    ("multi-ref closest length tie", "one two three four five", ["one two three four", "one two three four five six"]),
    ("entities", "Tom &amp; Jerry said &quot;hi&quot;", ['Tom & Jerry said "hi"']),
]

CORPORA = [
    (
        "small corpus",
        ["The cat sat on the mat.", "A quick brown fox jumps.", "It is 3.14 exactly, isn't it?"],
        [["The cat sat on the mat.", "The quick brown fox jumped over the dog.", "It's 3.14 exactly, isn't it?"]],
    ),
    (
        "with empty hypothesis lines",
        ["", "Hello there general Kenobi", "", "short"],
        [["Hello", "Hello there, General Kenobi!", "nothing", "short and sweet"]],
    ),
    (
        "two reference streams",
        ["the cat is on the mat", "he read the book because he was interested in world history"],
        [
            ["there is a cat on the mat", "he was interested in world history because he read the book"],
            ["a cat is on the mat", "he read the book because he was interested in the history of the world"],
        ],
    ),
    (
        "all empty",
        ["", ""],
        [["a b c", "d e"]],
    ),
    (
        "German and French",
        ["Das Haus ist wunderbar, nicht wahr?", "Je n'ai pas vu l'été arriver.", "Größe: 1.000,5 m²."],
        [["Das Haus ist wunderschön, nicht wahr?", "Je n'ai pas vu arriver l'été.", "Größe: 1.000,5 m²."]],
    ),
    (
        "short hypotheses only",
        ["yes", "no way", "of course not"],
        [["yes", "no way", "of course"]],
    ),
]


def score_dict(s):
    return {
        "score": s.score,
        "precisions": list(s.precisions),
        "bp": s.bp,
        "sysLen": s.sys_len,
        "refLen": s.ref_len,
    }


def main():
    tok = Tokenizer13a()
    out = {
        "sacrebleu": sacrebleu.__version__,
        "tokenize13a": [{"input": t, "output": tok(t.rstrip())} for t in TOKENIZE],
        "sentence": [
            {"name": n, "hypothesis": h, "references": r, "expected": score_dict(sacrebleu.sentence_bleu(h, r))}
            for n, h, r in SENTENCES
        ],
        "corpus": [
            {"name": n, "hypotheses": h, "references": r, "expected": score_dict(BLEU().corpus_score(h, r))}
            for n, h, r in CORPORA
        ],
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
