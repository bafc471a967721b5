#!/usr/bin/python3
"""Writes nemo-vocab.gguf: Mistral Nemo's tekken vocabulary as a vocabulary-only GGUF with
the keys llama.cpp's converter writes for Mistral-Nemo-Instruct-2407 (README.md says where
the vocabulary comes from).

Usage: make_vocab.py VOCAB.tiktoken CHAT_TEMPLATE.jinja OUT.gguf

VOCAB.tiktoken lists Nemo's tokenizer.json vocabulary, one "base64(token) id" line per id
(131072 ids: 1000 special tokens, then the tiktoken ranks 0.. shifted by 1000, spelled in
GPT-2's byte-to-character map). It carries no merges: they are recovered from the ranks.
In tiktoken a token of rank r is made by byte-pair merging its own bytes with the tokens of
lower rank only, and the last merge joins exactly two pieces; that pair is its merge, and
listing the merges by the rank of their result gives a BPE that merges as tiktoken does.
"""
import base64
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "unigram"))
from make_reference import ARRAY, BOOL, F32, I32, STRING, U32, write_gguf  # noqa: E402

N_SPECIAL = 1000  # tekken's ids 0..999 are control tokens (<unk>, <s>, </s>, [INST], ...)
NORMAL, CONTROL = 1, 3  # llama.cpp's token types


def byte_to_char():
    """GPT-2's map from each byte to the printable character that spells it."""
    printable = [*range(ord("!"), ord("~") + 1), *range(0xA1, 0xAD), *range(0xAE, 0x100)]
    table, extra = {}, 0
    for b in range(256):
        if b in printable:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


def read_vocab(path):
    tokens = []
    with open(path, encoding="ascii") as f:
        for line in f:
            encoded, token_id = line.split()
            assert int(token_id) == len(tokens), "ids must be listed in order"
            tokens.append(base64.b64decode(encoded).decode("utf-8"))
    return tokens


def last_merge(data, ranks, rank):
    """The two pieces tiktoken's BPE ends with on `data` using only ranks below `rank`."""
    parts = [data[i:i + 1] for i in range(len(data))]
    while len(parts) > 2:
        best = None
        for i in range(len(parts) - 1):
            r = ranks.get(parts[i] + parts[i + 1])
            if r is not None and r < rank and (best is None or r < best[0]):
                best = (r, i)
        if best is None:
            return None
        i = best[1]
        parts[i:i + 2] = [parts[i] + parts[i + 1]]
    return parts


def merges(tokens):
    to_byte = {c: b for b, c in byte_to_char().items()}
    spelled = tokens[N_SPECIAL:]
    data = [bytes(to_byte[c] for c in t) for t in spelled]
    ranks = {d: r for r, d in enumerate(data)}
    assert len(ranks) == len(data), "two ranks spell the same bytes"
    out, unreachable = [], 0
    for rank, d in enumerate(data):
        if len(d) < 2:
            continue
        parts = last_merge(d, ranks, rank)
        if parts is None or len(parts) != 2:
            unreachable += 1  # only ever produced whole (tiktoken looks a piece up first)
            continue
        left, right = (spelled[ranks[p]] for p in parts)
        out.append(f"{left} {right}")
    print(f"{len(out)} merges, {unreachable} tokens no merge reaches", file=sys.stderr)
    return out


def main():
    vocab_path, template_path, out = sys.argv[1:4]
    tokens = read_vocab(vocab_path)
    assert len(tokens) == 131072 and tokens[:4] == ["<unk>", "<s>", "</s>", "[INST]"]
    types = [CONTROL] * N_SPECIAL + [NORMAL] * (len(tokens) - N_SPECIAL)
    template = open(template_path, encoding="utf-8").read()
    # Mistral-Nemo-Instruct-2407's config.json, as llama.cpp's loader wants a vocab-only
    # llama file to carry its hyperparameters.
    hparams = [("context_length", 1024000), ("embedding_length", 5120), ("block_count", 40),
               ("feed_forward_length", 14336), ("attention.head_count", 32),
               ("attention.head_count_kv", 8), ("attention.key_length", 128),
               ("attention.value_length", 128), ("rope.dimension_count", 128),
               ("vocab_size", len(tokens))]
    write_gguf(os.path.abspath(out), [
        ("general.architecture", STRING, "llama"),
        ("general.name", STRING, "Mistral-Nemo-Instruct-2407 vocabulary"),
        *((f"llama.{key}", U32, value) for key, value in hparams),
        ("llama.rope.freq_base", F32, 1e6),
        ("llama.attention.layer_norm_rms_epsilon", F32, 1e-5),
        ("tokenizer.ggml.model", STRING, "gpt2"),
        ("tokenizer.ggml.pre", STRING, "tekken"),
        ("tokenizer.ggml.tokens", ARRAY, (STRING, tokens)),
        ("tokenizer.ggml.token_type", ARRAY, (I32, types)),
        ("tokenizer.ggml.merges", ARRAY, (STRING, merges(tokens))),
        ("tokenizer.ggml.bos_token_id", U32, 1),
        ("tokenizer.ggml.eos_token_id", U32, 2),
        ("tokenizer.ggml.unknown_token_id", U32, 0),
        ("tokenizer.ggml.add_bos_token", BOOL, True),
        ("tokenizer.ggml.add_eos_token", BOOL, False),
        ("tokenizer.chat_template", STRING, template),
    ])


if __name__ == "__main__":
    main()
