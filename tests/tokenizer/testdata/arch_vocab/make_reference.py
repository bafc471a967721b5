#!/usr/bin/python3
"""Writes tiny-phi3-F32.gguf.out: llama.cpp's ids (no BOS), one line per string of
fixtures/vocab/ggml-vocab-llama-spm.gguf.inp, for the arch fixtures' vocabulary, which
lacks most single characters.

Usage: make_reference.py FIXTURES LLAMA_TOKENIZE > tiny-phi3-F32.gguf.out
"""
import json
import subprocess
import sys
import tempfile

SEPARATOR = "__ggml_vocab_test__\n"


def inputs(path):
    text = open(path, encoding="utf-8").read()
    items = text.split(SEPARATOR)[:-1]  # the text ends with a separator
    return [item[:-1] if item.endswith("\n") else item for item in items]


def main():
    fixtures, tokenize = sys.argv[1], sys.argv[2]
    model = f"{fixtures}/arch/tiny-phi3-F32.gguf"
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt") as prompt:
        for item in inputs(f"{fixtures}/vocab/ggml-vocab-llama-spm.gguf.inp"):
            prompt.seek(0)
            prompt.truncate()
            prompt.write(item)
            prompt.flush()
            result = subprocess.run(
                [tokenize, "-m", model, "-f", prompt.name, "--ids", "--log-disable", "--no-bos"],
                capture_output=True, text=True, check=True)
            ids = json.loads(result.stdout.strip().splitlines()[-1])
            print(" ".join(str(i) for i in ids))


if __name__ == "__main__":
    main()
