#!/usr/bin/env python3
"""Writes tiny-lowbit-F32.gguf: a dense llama with random weights (hidden 256, so every
matrix row is a whole number of 256-value super-blocks and llama-quantize's K and IQ
mixes use their own types rather than fallbacks) and the 3072-token llama-spm vocabulary
of ../shared/fixtures/arch/tiny-mixtral-F32.gguf, whose tokenizer keys are copied.

    make_tiny_llama.py ../shared/fixtures/arch/tiny-mixtral-F32.gguf tiny-lowbit-F32.gguf

Only the Python standard library; deterministic (seed 16). See README.md for the mixes.
"""
import random
import struct
import sys

HIDDEN, LAYERS, HEADS, KV_HEADS, FFN = 256, 2, 4, 2, 512
ALIGN = 32


def read_gguf_metadata(path):
    """The key/value pairs of a GGUF file, each as (key, type, raw value bytes)."""
    data = open(path, "rb").read()
    pos = 8
    n_tensors, n_kv = struct.unpack_from("<QQ", data, pos)
    pos += 16
    sizes = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}

    def skip_value(t, p):
        if t == 8:
            (n,) = struct.unpack_from("<Q", data, p)
            return p + 8 + n
        if t == 9:
            (item, n) = struct.unpack_from("<IQ", data, p)
            p += 12
            for _ in range(n):
                p = skip_value(item, p)
            return p
        return p + sizes[t]

    pairs = []
    for _ in range(n_kv):
        (n,) = struct.unpack_from("<Q", data, pos)
        key = data[pos + 8 : pos + 8 + n].decode()
        pos += 8 + n
        (t,) = struct.unpack_from("<I", data, pos)
        end = skip_value(t, pos + 4)
        pairs.append((key, t, data[pos + 4 : end]))
        pos = end
    return pairs


def gguf_string(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def kv(key, t, raw):
    return gguf_string(key) + struct.pack("<I", t) + raw


def main(vocab_source, out_path):
    rng = random.Random(16)
    source = read_gguf_metadata(vocab_source)
    tokens = next(raw for key, _, raw in source if key == "tokenizer.ggml.tokens")
    (n_vocab,) = struct.unpack_from("<Q", tokens, 4)
    head_dim = HIDDEN // HEADS
    meta = [
        kv("general.architecture", 8, gguf_string("llama")),
        kv("general.name", 8, gguf_string("tiny-lowbit")),
        kv("llama.block_count", 4, struct.pack("<I", LAYERS)),
        kv("llama.context_length", 4, struct.pack("<I", 2048)),
        kv("llama.embedding_length", 4, struct.pack("<I", HIDDEN)),
        kv("llama.feed_forward_length", 4, struct.pack("<I", FFN)),
        kv("llama.attention.head_count", 4, struct.pack("<I", HEADS)),
        kv("llama.attention.head_count_kv", 4, struct.pack("<I", KV_HEADS)),
        kv("llama.rope.freq_base", 6, struct.pack("<f", 10000.0)),
        kv("llama.rope.dimension_count", 4, struct.pack("<I", head_dim)),
        kv("llama.attention.layer_norm_rms_epsilon", 6, struct.pack("<f", 1e-5)),
        kv("llama.vocab_size", 4, struct.pack("<I", n_vocab)),
    ]
    meta += [kv(key, t, raw) for key, t, raw in source if key.startswith("tokenizer.")]

    # (name, rows, row length, standard deviation; None: ones, for norms)
    shapes = [("token_embd.weight", n_vocab, HIDDEN, 1.0)]
    for i in range(LAYERS):
        b = f"blk.{i}."
        shapes += [
            (b + "attn_norm.weight", 1, HIDDEN, None),
            (b + "attn_q.weight", HIDDEN, HIDDEN, 0.08),
            (b + "attn_k.weight", KV_HEADS * head_dim, HIDDEN, 0.08),
            (b + "attn_v.weight", KV_HEADS * head_dim, HIDDEN, 0.08),
            (b + "attn_output.weight", HIDDEN, HIDDEN, 0.08),
            (b + "ffn_norm.weight", 1, HIDDEN, None),
            (b + "ffn_gate.weight", FFN, HIDDEN, 0.08),
            (b + "ffn_up.weight", FFN, HIDDEN, 0.08),
            (b + "ffn_down.weight", HIDDEN, FFN, 0.06),
        ]
    # Output scale 0.3 puts the top logits near 15 to 20, like tiny-llama2's, so the test's
    # absolute near-tie bound (0.25) is as strict here as on the trained fixtures.
    shapes += [("output_norm.weight", 1, HIDDEN, None), ("output.weight", n_vocab, HIDDEN, 0.3)]

    infos, blobs, offset = [], [], 0
    for name, rows, cols, std in shapes:
        n = rows * cols
        values = [1.0] * n if std is None else [rng.gauss(0.0, std) for _ in range(n)]
        blob = struct.pack(f"<{n}f", *values)
        dims = [cols] if rows == 1 else [cols, rows]
        infos.append(
            gguf_string(name)
            + struct.pack("<I", len(dims))
            + struct.pack(f"<{len(dims)}Q", *dims)
            + struct.pack("<IQ", 0, offset)
        )
        blobs.append(blob + b"\0" * (-len(blob) % ALIGN))
        offset += len(blobs[-1])

    header = b"GGUF" + struct.pack("<IQQ", 3, len(infos), len(meta))
    head = header + b"".join(meta) + b"".join(infos)
    with open(out_path, "wb") as f:
        f.write(head + b"\0" * (-len(head) % ALIGN))
        for blob in blobs:
            f.write(blob)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
