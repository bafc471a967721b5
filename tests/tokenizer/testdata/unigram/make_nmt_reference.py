#!/usr/bin/python3
"""Makes nmt_reference.json: sentencepiece's own normalization of a corpus of control
characters, separators and compatibility forms, for the Nmt normalizer and the charsmap.

Run with Debian's Python (python3-sentencepiece): /usr/bin/python3 make_nmt_reference.py
CI never runs it. Two models are trained on the GPL (make_reference.py's train()), one with
sentencepiece's nmt_nfkc rule and one with nfkc, both without the dummy prefix and without
removing extra spaces, so a text's pieces joined (with "▁" read back as a space) are
exactly its normalized form. The file holds:

  nmt:        text, nmt_nfkc, nfkc, where Hugging Face's Sequence[Nmt, NFKC] (the normalizer
              of its SentencePieceUnigramTokenizer) should give nmt_nfkc and NFKC alone nfkc
              (null for a text holding "▁")
  zwj:        text, nmt_nfkc for texts with U+200D, where the two differ (see ZWJ)
  charsmap:   text, nmt_nfkc, nfkc_python: combining sequences where sentencepiece's
              longest match in its charsmap (what hfd's Precompiled does) differs from true
              NFKC (Python's unicodedata); the charsmap is t5-nfkc.gguf's (checked equal)
"""
import json
import os
import tempfile
import unicodedata

from make_reference import HERE, SPACE, normalizer_spec, train

NMT = [
    "plain text stays",
    "controls\x01\x02\x03\x04\x05\x06\x07\x08 gone",
    "vt\x0bff\x0ccr\rso\x0esi\x0fdle\x10\x1f|del\x7f|",
    "tab\tnewline\nboth\t\n",
    "c1 \x80\x85\x8e\x8f\x90\x9f\xa0 end",
    "zero\u200bwidth\u200cnon-joiner lrm\u200erlm\u200f",
    "line\u2028para\u2029ogham\u1680bom\ufeffrepl\ufffdmark\u2581",
    "ideographic\u3000space and nbsp\u00a0x",
    "ａｂｃ ﬁ ① Ⅻ ㍿ ﾊﾝｶｸ",
    "Zürich café naïve",
    "你好\x01世界\u200b！",
    "\x01\x02",
]
# U+200D (zero width joiner): sentencepiece's nmt_nfkc keeps it, Hugging Face's Nmt makes
# it a space like the rest of U+200B..U+200F.
ZWJ = ["joiner\u200djoined", "\U0001F469\u200d\U0001F4BB"]
CHARSMAP = [
    "e\u0301\u0323",        # é then a dot below: the map joins "e\u0301" first
    "a\u0308\u0323 x",
    "\u1100\u1161\u11a8",   # conjoining jamo: one syllable
    "A\u030a\u0301",
]


def normalized(sp, text):
    return "".join(sp.encode(text, out_type=str)).replace(SPACE, " ")


def main():
    plain = dict(add_dummy_prefix=False, remove_extra_whitespaces=False, vocab_size=300)
    with tempfile.TemporaryDirectory() as tmp:
        nmt = train(os.path.join(tmp, "nmt"), normalization_rule_name="nmt_nfkc", **plain)
        nfkc = train(os.path.join(tmp, "nfkc"), normalization_rule_name="nfkc", **plain)
        with open(os.path.join(tmp, "nmt.model"), "rb") as f:
            charsmap = normalizer_spec(f.read())["charsmap"]
    with open(os.path.join(HERE, "t5-nfkc.gguf"), "rb") as f:
        assert charsmap in f.read(), "t5-nfkc.gguf holds another charsmap"
    doc = {
        # nfkc keeps a "▁" of the text, which the joined pieces cannot tell from a space.
        "nmt": [{"text": t, "nmt_nfkc": normalized(nmt, t),
                 "nfkc": None if SPACE in t else normalized(nfkc, t)} for t in NMT],
        "zwj": [{"text": t, "nmt_nfkc": normalized(nmt, t)} for t in ZWJ],
        "charsmap": [{"text": t, "nmt_nfkc": normalized(nmt, t),
                      "nfkc_python": unicodedata.normalize("NFKC", t)} for t in CHARSMAP],
    }
    with open(os.path.join(HERE, "nmt_reference.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=True, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
