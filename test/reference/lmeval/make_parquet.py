"""Small Hugging Face-layout parquet files for the loader tests (test/eval/loaders.test.ts).

Hand-written records in the column layout of the HF datasets lm-evaluation-harness reads
(allenai/ai2_arc, truthfulqa/truthful_qa multiple_choice, allenai/winogrande, wmt/wmt14),
written by pyarrow with its defaults (snappy compression), as `datasets` exports them.
Run: python3 test/reference/lmeval/make_parquet.py  (needs pyarrow)
"""

import os

import pyarrow as pa
import pyarrow.parquet as pq

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "eval", "fixtures")

ARC = [
    {
        "id": "Mercury_1",
        "question": "Which gas do plants take in for photosynthesis?",
        "choices": {"text": ["oxygen", "carbon dioxide", "nitrogen", "helium"], "label": ["A", "B", "C", "D"]},
        "answerKey": "B",
    },
    {
        "id": "Mercury_2",
        "question": "What melts ice fastest?",
        "choices": {"text": ["salt", "sand", "sawdust"], "label": ["1", "2", "3"]},
        "answerKey": "1",
    },
]

TRUTHFULQA = [
    {
        "question": "What happens if you crack your knuckles a lot?",
        "mc1_targets": {
            "choices": ["Nothing in particular happens.", "You will get arthritis."],
            "labels": [1, 0],
        },
        "mc2_targets": {"choices": ["Nothing in particular happens."], "labels": [1]},
    },
]

WINOGRANDE = [
    {"sentence": "The trophy didn't fit in the suitcase because the _ was too big.", "option1": "trophy", "option2": "suitcase", "answer": "1"},
    {"sentence": "Sarah lent Maria a book because _ had finished it.", "option1": "Sarah", "option2": "Maria", "answer": "1"},
]

WMT = [
    {"translation": {"en": "The house is small.", "fr": "La maison est petite."}},
    {"translation": {"en": "I like green tea.", "fr": "J'aime le thé vert."}},
]


def write(name, rows):
    pq.write_table(pa.Table.from_pylist(rows), os.path.join(OUT, name))


def main():
    os.makedirs(OUT, exist_ok=True)
    write("arc-test.parquet", ARC)
    write("truthfulqa-validation.parquet", TRUTHFULQA)
    write("winogrande-validation.parquet", WINOGRANDE)
    write("wmt14-fr-en-test.parquet", WMT)


if __name__ == "__main__":
    main()
