#!/usr/bin/python3
"""Reference token ids from the real `sentencepiece` library for test/tokenizers.

Run (Debian's python3-sentencepiece, not a pyenv python):
    /usr/bin/python3 test/reference/sentencepiece/make_fixtures.py

Writes ids.json beside this file. Texts of the shared data are NOT copied: a data case is
stored as {file, index, field, ids, roundtrip} and the test reads the text from ../shared/data
itself. Only the hand-written edge cases below carry their literal text.
"""

import base64
import hashlib
import json
import os
import random
import sys

import sentencepiece as spm

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
DATA = os.environ.get("PLW_SHARED_DATA", os.path.join(REPO, "..", "shared", "data"))
MODEL = os.path.join(DATA, "tokenizer.model")
SEED = 20240229

# Stanford Alpaca's templates, as in src-shared/alpaca.ts (docs/METHOD.md "Data").
PROMPT_WITH_INPUT = (
    "Below is an instruction that describes a task, paired with an input that provides further "
    "context. Write a response that appropriately completes the request.\n\n"
    "### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:"
)
PROMPT_NO_INPUT = (
    "Below is an instruction that describes a task. Write a response that appropriately "
    "completes the request.\n\n### Instruction:\n{instruction}\n\n### Response:"
)


def prompt_text(rec):
    if rec["input"]:
        return PROMPT_WITH_INPUT.replace("{instruction}", rec["instruction"], 1).replace(
            "{input}", rec["input"], 1
        )
    return PROMPT_NO_INPUT.replace("{instruction}", rec["instruction"], 1)


def load_json(rel):
    with open(os.path.join(DATA, rel), encoding="utf-8-sig") as f:
        return json.load(f)


def load_jsonl(rel):
    with open(os.path.join(DATA, rel), encoding="utf-8-sig") as f:
        return [json.loads(line) for line in f if line.strip()]


def get_field(record, field):
    """Field paths as the test resolves them: "output", "instances.0.input", "prompt+output"."""
    if field == "prompt+output":
        return prompt_text(record) + record["output"]
    value = record
    for part in field.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


# (file, loader, how many records, fields)
SOURCES = [
    ("instructions/gsm_8k_train.json", load_json, 70, ["instruction", "input", "output", "prompt+output"]),
    (
        "instructions/gpteacher_roleplay-simple-deduped-roleplay-dataset.json",
        load_json,
        50,
        ["instruction", "input", "output", "prompt+output"],
    ),
    (
        "instructions/gpteacher_toolformer-dedupe-only-dataset.json",
        load_json,
        60,
        ["instruction", "input", "output", "prompt+output"],
    ),
    (
        "instructions/stanford_alpaca_seed_tasks.jsonl",
        load_jsonl,
        40,
        ["instruction", "instances.0.input", "instances.0.output"],
    ),
    ("benchmarks/piqa/valid.jsonl", load_jsonl, 40, ["goal", "sol1", "sol2"]),
    ("benchmarks/truthfulqa/data/mc_task.json", load_json, 30, ["question"]),
]

# Hand-written edge cases: unicode scripts, combining marks, emoji sequences, characters not in
# the vocabulary (byte fallback), digits, whitespace runs, tabs/newlines, leading/trailing spaces,
# the empty string, text that looks like special pieces, and long unbroken runs.
EDGE_CASES = [
    "",
    " ",
    "  ",
    "\n",
    "\t",
    "Hello world",
    "Hello  world",
    "   three leading spaces",
    "trailing spaces   ",
    "  both sides  ",
    "tabs\tand\t\ttabs",
    "line one\nline two\r\nline three\n\n\npara",
    " \n \t mixed \u00a0 whitespace\u2003em space",
    "1234567890 3.14159 -42 1,000,000 0x1F 1e-9 2024-02-29",
    "9876543210123456789012345678901234567890",
    "日本語のテキストと漢字かなカナ",
    "中文文本：你好，世界！",
    "한국어 텍스트입니다",
    "Русский текст и ёжик",
    "Ελληνικά κείμενα",
    "العربية نص من اليمين",
    "עברית טקסט",
    "हिन्दी पाठ देवनागरी",
    "ภาษาไทย ข้อความ",
    "e\u0301 a\u0300\u0302 n\u0303 combining marks",
    "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319a\u0364\u0342lgo",
    "emoji 🙂 👍🏽 🦜 🇫🇷 👨\u200d👩\u200d👧",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕞𝕒𝕥𝕙 ∀x∈ℝ: x² ≥ 0 ∑∫√∞",
    "龘靐齉 rare han",
    "ﬁ ligature, ＡＢＣ fullwidth, ½ fraction, Ⅻ numeral",
    "\ufeffBOM at start and zero\u200bwidth\u200d joiners \u200e\u200f",
    "control \u0007 bell \u0000 nul \u001b escape",
    "a\u2581b literal lower-one-eighth block \u2581\u2581",
    "<s> </s> <unk> <pad> <0x0A> [INST] look like specials",
    "https://example.com/path?q=a+b&x=%20 user@example.org",
    "def f(x):\n    return {'a': [1, 2, 3]}  # comment\n",
    "a" * 200,
    "ab" * 150,
    " ".join(["word"] * 60),
    "x" + " " * 40 + "y",
    "The quick brown fox jumps over the lazy dog. THE QUICK BROWN FOX!",
    "Don't can't won't it's I'm you're they've",
    "«quotes» “curly” ‘single’ — em – en … ellipsis",
    # Same characters as a first chunk (dummy prefix) and as a later chunk: the test encodes
    # these in order on one tokenizer, so a cache mixing the two would show.
    "Hello",
    " Hello",
    "x Hello",
    "  Hello",
    "x  Hello",
    "Hello Hello",
]

# Id sequences for decode: specials mixed in, byte pieces that form valid and invalid UTF-8.
DECODE_IDS = [
    [1, 15043, 3186, 2],
    [29871, 13, 13, 15043],
    [243, 162, 156, 133],
    [243, 162, 15043],
    [258, 15043, 258],
    [0, 15043, 0],
    [1, 2, 0],
]


# Tiny hand-made models that exercise paths LLaMA's model does not: a character that occurs
# only inside a piece, user-defined pieces, an UNUSED piece (resegmented), no byte fallback
# (runs of unknowns become one <unk>), remove_extra_whitespaces, no dummy prefix. Each is
# written as protobuf bytes here and stored base64, so the test loads exactly these bytes.
NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED = 1, 2, 3, 4, 5


def pb_varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def pb_bytes(field, body):
    return pb_varint(field * 8 + 2) + pb_varint(len(body)) + body


def pb_uint(field, value):
    return pb_varint(field * 8) + pb_varint(value)


def pb_float(field, value):
    import struct

    return pb_varint(field * 8 + 5) + struct.pack("<f", value)


def tiny_model(pieces, add_dummy_prefix=True, remove_extra_whitespaces=False):
    out = b""
    for text, score, kind in [("<unk>", 0, UNKNOWN), ("<s>", 0, CONTROL), ("</s>", 0, CONTROL)] + pieces:
        out += pb_bytes(1, pb_bytes(1, text.encode()) + pb_float(2, score) + pb_uint(3, kind))
    out += pb_bytes(2, pb_uint(3, 2))  # trainer_spec.model_type = BPE
    out += pb_bytes(
        3,
        pb_bytes(1, b"identity")
        + pb_uint(3, int(add_dummy_prefix))
        + pb_uint(4, int(remove_extra_whitespaces)),
    )
    return out


TINY_MODELS = [
    (
        "char-only-inside-a-piece",
        tiny_model([("a", -1, NORMAL), ("ab", -2, NORMAL), ("\u2581", -3, NORMAL)]),
        ["ab ab", "b", "abab b", "ba", "  ab  "],
    ),
    (
        "user-defined",
        tiny_model(
            [("\u2581", -1, NORMAL), ("a", -2, NORMAL), ("b", -3, NORMAL), ("ab", -4, NORMAL),
             ("\u2581a", -5, NORMAL), ("<sep>", 0, USER_DEFINED), ("<sep>x", 0, USER_DEFINED)]
        ),
        ["a<sep>b", "ab <sep> ab", "<sep><sep>x", "<se", "x<sep>x"],
    ),
    (
        "unused-piece",
        tiny_model([("\u2581", -1, NORMAL), ("a", -2, NORMAL), ("b", -3, NORMAL), ("ab", -1.5, UNUSED),
                    ("\u2581ab", -4, NORMAL)]),
        ["ab", "cab", "ab ab", "abab"],
    ),
    (
        "piece-across-whitespace",
        tiny_model([("\u2581", -1, NORMAL), ("a", -2, NORMAL), ("b", -3, NORMAL), ("a\u2581", -4, NORMAL),
                    ("a\u2581b", -5, NORMAL), ("\u2581a", -6, NORMAL)]),
        ["a b", "a a b", "ba b", "b a"],
    ),
    (
        "remove-extra-whitespaces-no-dummy-prefix",
        tiny_model([("\u2581", -1, NORMAL), ("a", -2, NORMAL), ("\u2581a", -3, NORMAL)],
                   add_dummy_prefix=False, remove_extra_whitespaces=True),
        ["  a  a  ", "a", "   ", "a zz a", ""],
    ),
]


def main():
    sp = spm.SentencePieceProcessor(model_file=MODEL)
    with open(MODEL, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    rng = random.Random(SEED)
    cases = []
    for rel, loader, count, fields in SOURCES:
        records = loader(rel)
        for index in sorted(rng.sample(range(len(records)), count)):
            for field in fields:
                text = get_field(records[index], field)
                ids = sp.encode(text)
                cases.append(
                    {"file": rel, "index": index, "field": field, "ids": ids, "roundtrip": sp.decode(ids) == text}
                )
    edge = []
    for text in EDGE_CASES:
        ids = sp.encode(text)
        edge.append({"text": text, "ids": ids, "decoded": sp.decode(ids)})
    decode = [{"ids": ids, "text": sp.decode(ids)} for ids in DECODE_IDS]
    tiny = []
    for name, model_bytes, texts in TINY_MODELS:
        tsp = spm.SentencePieceProcessor(model_proto=model_bytes)
        tiny.append(
            {
                "name": name,
                "model_base64": base64.b64encode(model_bytes).decode(),
                "cases": [{"text": t, "ids": tsp.encode(t), "decoded": tsp.decode(tsp.encode(t))} for t in texts],
            }
        )
    out = {
        "generator": "test/reference/sentencepiece/make_fixtures.py",
        "sentencepiece": spm.__version__,
        "model_sha256": sha,
        "vocab_size": sp.vocab_size(),
        "bos_id": sp.bos_id(),
        "eos_id": sp.eos_id(),
        "unk_id": sp.unk_id(),
        "pad_id": sp.pad_id(),
        "cases": cases,
        "edge": edge,
        "decode": decode,
        "tiny": tiny,
    }
    path = os.path.join(HERE, "ids.json")
    with open(path, "w", encoding="utf-8") as f:
        # One case per line keeps diffs readable while staying compact.
        f.write("{\n")
        head = [k for k in out if k not in ("cases", "edge", "decode", "tiny")]
        for k in head:
            f.write(f"  {json.dumps(k)}: {json.dumps(out[k])},\n")
        for i, k in enumerate(("cases", "edge", "decode", "tiny")):
            f.write(f"  {json.dumps(k)}: [\n")
            rows = [json.dumps(c, ensure_ascii=False, separators=(",", ":")) for c in out[k]]
            f.write(",\n".join("    " + r for r in rows))
            f.write("\n  ]" + (",\n" if i < 3 else "\n"))
        f.write("}\n")
    print(f"{path}: {len(cases)} data cases, {len(edge)} edge cases, {os.path.getsize(path)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
