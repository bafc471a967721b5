#!/usr/bin/python3
"""Makes the Unigram reference data in this folder with Debian's sentencepiece.

Run with Debian's Python (python3-sentencepiece): /usr/bin/python3 make_reference.py
CI never runs it; the tests compare hfd with the files it wrote:

  unigram.json                 tokenizer.json Unigram model, identity normalization
  unigram-byte-fallback.json   the same trained with --byte_fallback=true
  unigram-digits.json          unigram.json's model behind Sequence[Digits, Metaspace]
  t5-nfkc.gguf                 a vocab-only GGUF (tokenizer.ggml.model = t5) of a model
                               trained with the default nmt_nfkc normalization: its
                               precompiled charsmap is the normalizer
  reference.json               the corpus and sentencepiece's ids for each file

The models are trained on /usr/share/common-licenses/GPL-3 (verbatim copying permitted).
"""
import json
import os
import struct
import tempfile
import unicodedata

import sentencepiece as spm

HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN_TEXT = "/usr/share/common-licenses/GPL-3"
SPACE = "\u2581"

CORPUS = [
    "Hello world",
    "The GNU General Public License is a free, copyleft license for software.",
    "You may convey verbatim copies of the Program's source code as you receive it.",
    "12345 67890 3.14159 version 3, 29 June 2007",
    "multiple    spaces   between     words",
    "tabs\tand\nnewlines\r\nhere",
    "Zürich, Ærø, naïve café — “quoted” «text»",
    "你好，世界！这是一个测试。",
    "emoji 🙂👍🏽 and symbols ∀x∈ℝ",
    "mixed GPL 版本 3 许可证 text",
    "ａｂｃ ｆｕｌｌｗｉｄｔｈ ﬁ ligature ① Ⅻ x\u00a0y",
    "copyright copyrighted copyrights COPYRIGHT",
    "a",
    "supercalifragilisticexpialidocious" * 3,
    "Permission is hereby granted, free of charge, to any person obtaining a copy "
    "of this software and associated documentation files (the \"Software\"), to deal "
    "in the Software without restriction.",
]
# The GGUF t5 vocabulary follows llama.cpp and sentencepiece on leading and trailing
# spaces too (Hugging Face's Metaspace "always" differs there: it adds no "▁" in front
# of text that starts with a space), so its corpus has them as well.
GGUF_EXTRA = ["  leading and trailing  ", "   ", " x"]


def train(prefix, **options):
    spm.SentencePieceTrainer.train(input=TRAIN_TEXT, model_prefix=prefix, model_type="unigram",
                                   minloglevel=2, **options)
    return spm.SentencePieceProcessor(model_file=prefix + ".model")


def pieces(sp):
    out = []
    for i in range(sp.get_piece_size()):
        out.append((sp.id_to_piece(i), sp.get_score(i)))
    return out


def special(sp, i):
    return sp.is_control(i) or sp.is_unknown(i)


def tokenizer_json(sp, byte_fallback, pre_tokenizer):
    added = [{"id": i, "content": sp.id_to_piece(i), "single_word": False, "lstrip": False,
              "rstrip": False, "normalized": False, "special": True}
             for i in range(sp.get_piece_size()) if special(sp, i)]
    metaspace = {"type": "Metaspace", "replacement": SPACE, "prepend_scheme": "always",
                 "split": True}
    return {
        "version": "1.0",
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": pre_tokenizer or metaspace,
        "post_processor": None,
        "decoder": metaspace,
        "model": {"type": "Unigram", "unk_id": sp.unk_id(), "byte_fallback": byte_fallback,
                  "vocab": [[p, s] for p, s in pieces(sp)]},
    }


def write_json(name, doc):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")


def digit_pieces(text):
    """Digits(individual_digits=true): every \\p{N} character is a piece of its own."""
    out, current = [], ""
    for c in text:
        if unicodedata.category(c).startswith("N"):
            if current:
                out.append(current)
            out.append(c)
            current = ""
        else:
            current += c
    if current:
        out.append(current)
    return out


def encode_metaspace_pieces(sp, text):
    """Metaspace "always" on each piece: "▁" unless the piece starts with a space, where
    sentencepiece's dummy prefix would add a second one: encoding the rest gives the same
    "▁"-text (a piece that is one space alone is "▁", which sentencepiece would drop)."""
    ids = []
    for piece in digit_pieces(text):
        if piece == " ":
            ids.append(sp.piece_to_id(SPACE))
        else:
            ids += sp.encode(piece[1:] if piece.startswith(" ") else piece)
    return ids


# --- protobuf: just enough to read NormalizerSpec.precompiled_charsmap -------------------
def varint(data, pos):
    value, shift = 0, 0
    while True:
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, pos


def fields(data):
    pos = 0
    while pos < len(data):
        key, pos = varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(data, pos)
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 2:
            n, pos = varint(data, pos)
            value, pos = data[pos:pos + n], pos + n
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        else:
            raise ValueError("unexpected protobuf wire type %d" % wire)
        yield number, value


def normalizer_spec(model_bytes):
    for number, value in fields(model_bytes):
        if number == 3:  # ModelProto.normalizer_spec
            spec = {"charsmap": b"", "add_dummy_prefix": True, "remove_extra_whitespaces": True}
            for n, v in fields(value):
                if n == 2:
                    spec["charsmap"] = bytes(v)
                elif n == 3:
                    spec["add_dummy_prefix"] = bool(v)
                elif n == 4:
                    spec["remove_extra_whitespaces"] = bool(v)
            return spec
    raise ValueError("no normalizer_spec in the model")


# --- GGUF: a vocab-only file (version 3, no tensors) ------------------------------------
U8, I32, U32, F32, BOOL, STRING, ARRAY = 0, 5, 4, 6, 7, 8, 9


def gguf_string(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def gguf_value(kind, value):
    if kind == STRING:
        return gguf_string(value)
    if kind == BOOL:
        return struct.pack("<B", 1 if value else 0)
    if kind == U32:
        return struct.pack("<I", value)
    if kind == F32:
        return struct.pack("<f", value)
    raise ValueError(kind)


def gguf_array(kind, values):
    head = struct.pack("<IQ", kind, len(values))
    if kind == STRING:
        return head + b"".join(gguf_string(v) for v in values)
    fmt = {U8: "B", I32: "i", F32: "f"}[kind]
    return head + struct.pack("<%d%s" % (len(values), fmt), *values)


def write_gguf(name, kvs):
    out = b"GGUF" + struct.pack("<IQQ", 3, 0, len(kvs))
    for key, kind, value in kvs:
        out += gguf_string(key) + struct.pack("<I", kind)
        out += gguf_array(*value) if kind == ARRAY else gguf_value(kind, value)
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(out)


def t5_gguf(sp, spec):
    n = sp.get_piece_size()
    types = []
    for i in range(n):
        types.append(2 if sp.is_unknown(i) else 3 if sp.is_control(i) else 6 if sp.is_byte(i)
                     else 5 if sp.is_unused(i) else 1)
    write_gguf("t5-nfkc.gguf", [
        ("general.architecture", STRING, "t5"),
        ("general.name", STRING, "hfd unigram reference"),
        ("tokenizer.ggml.model", STRING, "t5"),
        ("tokenizer.ggml.tokens", ARRAY, (STRING, [sp.id_to_piece(i) for i in range(n)])),
        ("tokenizer.ggml.scores", ARRAY, (F32, [sp.get_score(i) for i in range(n)])),
        ("tokenizer.ggml.token_type", ARRAY, (I32, types)),
        ("tokenizer.ggml.add_space_prefix", BOOL, spec["add_dummy_prefix"]),
        ("tokenizer.ggml.remove_extra_whitespaces", BOOL, spec["remove_extra_whitespaces"]),
        ("tokenizer.ggml.precompiled_charsmap", ARRAY, (U8, list(spec["charsmap"]))),
        ("tokenizer.ggml.unknown_token_id", U32, sp.unk_id()),
        ("tokenizer.ggml.eos_token_id", U32, sp.eos_id()),
        ("tokenizer.ggml.padding_token_id", U32, sp.pad_id()),
        ("tokenizer.ggml.add_bos_token", BOOL, False),
        ("tokenizer.ggml.add_eos_token", BOOL, True),
    ])


def main():
    ids = {}
    with tempfile.TemporaryDirectory() as tmp:
        identity = dict(normalization_rule_name="identity", remove_extra_whitespaces=False)
        plain = train(os.path.join(tmp, "plain"), vocab_size=400, **identity)
        write_json("unigram.json", tokenizer_json(plain, False, None))
        ids["unigram.json"] = [plain.encode(t) for t in CORPUS]

        digits = {"type": "Sequence", "pretokenizers": [
            {"type": "Digits", "individual_digits": True},
            {"type": "Metaspace", "replacement": SPACE, "prepend_scheme": "always",
             "split": True}]}
        write_json("unigram-digits.json", tokenizer_json(plain, False, digits))
        ids["unigram-digits.json"] = [encode_metaspace_pieces(plain, t) for t in CORPUS]

        fallback = train(os.path.join(tmp, "fallback"), vocab_size=600, byte_fallback=True,
                         **identity)
        write_json("unigram-byte-fallback.json", tokenizer_json(fallback, True, None))
        ids["unigram-byte-fallback.json"] = [fallback.encode(t) for t in CORPUS]

        nfkc = train(os.path.join(tmp, "nfkc"), vocab_size=400, pad_id=0, eos_id=1, unk_id=2,
                     bos_id=-1)
        with open(os.path.join(tmp, "nfkc.model"), "rb") as f:
            spec = normalizer_spec(f.read())
        t5_gguf(nfkc, spec)
        ids["t5-nfkc.gguf"] = [nfkc.encode(t) for t in CORPUS + GGUF_EXTRA]
    write_json("reference.json", {"corpus": CORPUS, "gguf_extra": GGUF_EXTRA, "ids": ids})


if __name__ == "__main__":
    main()
