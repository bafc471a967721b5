#!/usr/bin/python3
"""Writes reference.json: llama.cpp's ids for every tokenizer.ggml.pre name the reference
build knows, each applied to the GPT-2 vocabulary of fixtures/vocab/ggml-vocab-gpt-2.gguf
(a byte-level BPE vocabulary covers any split, so the ids differ only where the names'
splits do). Inputs: the fixture's own test strings, then extra.inp (digits, contractions,
CJK, scripts without spaces, whitespace runs, punctuation, camel case: the places where
the names' patterns disagree). The ids carry no BOS (--no-bos).

Usage: make_reference.py FIXTURES LLAMA_TOKENIZE > reference.json
(LD_LIBRARY_PATH must reach the llama.cpp libraries.)
"""
import concurrent.futures
import json
import os
import struct
import subprocess
import sys
import tempfile

SEPARATOR = "__ggml_vocab_test__\n"

# The names llama.cpp's February 2025 build (../shared/reference/llama.cpp) accepts for a
# "gpt2" tokenizer model; later names are not checked here.
NAMES = [
    "default", "llama3", "llama-bpe", "falcon3", "deepseek-llm", "deepseek-coder",
    "deepseek-v3", "deepseek-r1-qwen", "falcon", "mpt", "starcoder", "gpt-2", "phi-2",
    "jina-es", "jina-de", "jina-v1-en", "jina-v2-es", "jina-v2-de", "jina-v2-code",
    "gigachat", "roberta-bpe", "refact", "command-r", "qwen2", "stablelm2", "olmo", "dbrx",
    "smaug-bpe", "poro-chat", "chatglm-bpe", "viking", "jais", "tekken", "smollm",
    "codeshell", "bloom", "gpt3-finnish", "exaone", "chameleon", "minerva-7b", "megrez",
]


def inputs(path):
    text = open(path, encoding="utf-8").read()
    items = text.split(SEPARATOR)[:-1]  # the text ends with a separator
    return [item[:-1] if item.endswith("\n") else item for item in items]


def with_pre(vocab, name):
    """The GGUF bytes with tokenizer.ggml.pre's string value replaced. A vocab file has no
    tensors, so nothing after the metadata needs moving."""
    key = b"tokenizer.ggml.pre"
    at = vocab.index(struct.pack("<Q", len(key)) + key) + 8 + len(key)
    (value_type,) = struct.unpack_from("<I", vocab, at)
    assert value_type == 8, "tokenizer.ggml.pre is not a string"
    (old_len,) = struct.unpack_from("<Q", vocab, at + 4)
    start = at + 12
    encoded = name.encode()
    return vocab[:at + 4] + struct.pack("<Q", len(encoded)) + encoded + vocab[start + old_len:]


def tokenize(tool, model, text):
    """llama-tokenize's ids for `text`, or None when it cannot load `model`."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", newline="") as prompt:
        prompt.write(text)
        prompt.flush()
        result = subprocess.run(
            [tool, "-m", model, "-f", prompt.name, "--ids", "--log-disable", "--no-bos"],
            capture_output=True, text=True)
    if result.returncode != 0:
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    fixtures, tool = sys.argv[1], sys.argv[2]
    here = os.path.dirname(os.path.abspath(__file__))
    strings = inputs(f"{fixtures}/vocab/ggml-vocab-gpt-2.gguf.inp")
    strings += inputs(os.path.join(here, "extra.inp"))
    vocab = open(f"{fixtures}/vocab/ggml-vocab-gpt-2.gguf", "rb").read()
    # Names whose llama.cpp setup fails on this vocabulary (jina-v2-*: it looks up special
    # tokens GPT-2 lacks) are listed apart: nothing to compare.
    reference = {"inputs": strings, "ids": {}, "not_loadable_by_llama_cpp": []}
    with tempfile.TemporaryDirectory() as tmp, concurrent.futures.ThreadPoolExecutor(4) as pool:
        for name in NAMES:
            model = os.path.join(tmp, f"{name}.gguf")
            with open(model, "wb") as f:
                f.write(with_pre(vocab, name))
            ids = list(pool.map(lambda s, m=model: tokenize(tool, m, s), strings))
            if any(i is None for i in ids):
                reference["not_loadable_by_llama_cpp"].append(name)
            else:
                reference["ids"][name] = ids
    json.dump(reference, sys.stdout, ensure_ascii=False, indent=None)
    print()


if __name__ == "__main__":
    main()
