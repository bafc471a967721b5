#!/usr/bin/python3
"""Writes reference.json: the ids of Mistral Nemo's tekken vocabulary (nemo-vocab.gguf, see
make_vocab.py) for a corpus, from two independent tokenizers:

  llama_cpp    llama-tokenize on nemo-vocab.gguf (--no-bos; special tokens written in the
               text are parsed, as llama-tokenize does by default)
  tokenizer_json  what a Hugging Face tokenizer.json of this vocabulary gives: special
               tokens written in the text are cut out first, the rest is split by tekken's
               own regex (Python's `regex` module, python3-regex) and each piece is looked
               up whole, else merged by rank as tiktoken does. llama.cpp runs a rewrite of
               that regex without combining marks in its letter classes, so the two differ
               on words with marks (Devanagari, Thai; README.md).

The corpus: the strings of ../pre_names (the GPT-2 fixture's test strings and
../pre_names/extra.inp), extra.inp (code, Nemo's languages, numbers, whitespace runs,
special tokens in text), and the three conversations of FIXTURES/chat/expected.json rendered
by Mistral-Nemo-Instruct-2407's chat template (`chats`: each one's messages and the index of
its rendering in `inputs`).

Usage: make_reference.py FIXTURES LLAMA_TOKENIZE nemo-vocab.gguf > reference.json
(The reference tools find their libraries in their own folder.)
"""
import concurrent.futures
import json
import os
import struct
import sys

import regex

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pre_names"))
from make_reference import inputs, tokenize  # noqa: E402

# tekken_240718.json's "pattern" (Mistral Nemo), as Hugging Face's tokenizer.json carries it.
PATTERN = (r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|"
           r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|"
           r"\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+")


def read_strings(data, at):
    (n,) = struct.unpack_from("<Q", data, at)
    at += 8
    out = []
    for _ in range(n):
        (length,) = struct.unpack_from("<Q", data, at)
        out.append(data[at + 8:at + 8 + length].decode("utf-8"))
        at += 8 + length
    return out


def gguf_tokens(path):
    """tokenizer.ggml.tokens and the ids of the control tokens, from the vocab file."""
    data = open(path, "rb").read()
    key = b"tokenizer.ggml.tokens"
    at = data.index(struct.pack("<Q", len(key)) + key) + 8 + len(key)
    assert struct.unpack_from("<II", data, at) == (9, 8), "tokens is not a string array"
    return read_strings(data, at + 8)


class TiktokenStyle:
    """Hugging Face's reading of the vocabulary: specials in text, the regex, then BPE."""

    def __init__(self, tokens, n_special=1000):
        char_to_byte = {}
        printable = [*range(ord("!"), ord("~") + 1), *range(0xA1, 0xAD), *range(0xAE, 0x100)]
        extra = 0
        for b in range(256):
            if b in printable:
                char_to_byte[chr(b)] = b
            else:
                char_to_byte[chr(256 + extra)] = b
                extra += 1
        self.ids = {bytes(char_to_byte[c] for c in t): i
                    for i, t in enumerate(tokens) if i >= n_special}
        self.special = {t: i for i, t in enumerate(tokens[:n_special])}
        names = sorted(self.special, key=len, reverse=True)
        self.special_re = regex.compile("|".join(regex.escape(n) for n in names))
        self.split_re = regex.compile(PATTERN)

    def piece(self, data):
        if data in self.ids:
            return [self.ids[data]]
        parts = [data[i:i + 1] for i in range(len(data))]
        while True:
            pairs = [(self.ids[parts[i] + parts[i + 1]], i) for i in range(len(parts) - 1)
                     if parts[i] + parts[i + 1] in self.ids]
            if not pairs:
                break
            _, i = min(pairs)
            parts[i:i + 2] = [parts[i] + parts[i + 1]]
        return [self.ids[p] for p in parts]

    def encode(self, text):
        out, at = [], 0
        for m in [*self.special_re.finditer(text), None]:
            end = m.start() if m else len(text)
            for word in self.split_re.findall(text[at:end]):
                out += self.piece(word.encode("utf-8"))
            if m:
                out.append(self.special[m.group()])
                at = m.end()
        return out


def nemo_chats(fixtures):
    entries = json.load(open(f"{fixtures}/chat/expected.json", encoding="utf-8"))
    return [{"messages": e["messages"], "rendered": e["rendered"]} for e in entries
            if e["template"] == "mistralai-Mistral-Nemo-Instruct-2407.jinja"
            and e["add_generation_prompt"]]


def main():
    fixtures, tool, vocab = sys.argv[1:4]
    strings = inputs(f"{fixtures}/vocab/ggml-vocab-gpt-2.gguf.inp")
    strings += inputs(os.path.join(HERE, "..", "pre_names", "extra.inp"))
    strings += inputs(os.path.join(HERE, "extra.inp"))
    chats = nemo_chats(fixtures)
    for chat in chats:
        chat["input"] = len(strings)
        strings.append(chat.pop("rendered"))
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        llama_cpp = list(pool.map(lambda s: tokenize(tool, vocab, s), strings))
    assert all(ids is not None for ids in llama_cpp), "llama-tokenize failed"
    hf = TiktokenStyle(gguf_tokens(vocab))
    tokenizer_json = [hf.encode(s) for s in strings]
    differ = [i for i, (a, b) in enumerate(zip(llama_cpp, tokenizer_json)) if a != b]
    print(f"{len(strings)} strings; llama.cpp and tokenizer.json differ on {differ}",
          file=sys.stderr)
    json.dump({"inputs": strings, "llama_cpp": llama_cpp, "tokenizer_json": tokenizer_json,
               "chats": chats},
              sys.stdout, ensure_ascii=False, indent=None)
    print()


if __name__ == "__main__":
    main()
