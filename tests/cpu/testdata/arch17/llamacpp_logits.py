#!/usr/bin/python3
"""Records what llama.cpp computes on GGUF files, through its own libllama set up as
llama-simple sets it up (greedy) but with an F32 KV cache: per file and prompt, the prompt ids, the
top-5 logits and logsumexp of each of 16 greedy steps, the greedy ids and the text
(llama-simple's: BOS piece, prompt, continuation). The format of
../shared/fixtures/arch/llama.cpp-logits.json.

    llamacpp_logits.py LLAMA_DIR OUT.json FILE.gguf...

Only opaque handles and pointers cross into libllama, so no header is needed: each
parameter struct is passed as a zero-padded buffer larger than the real one (x86-64 passes
and returns such structs in memory, so the padding is never read), with defaults from
llama_*_default_params().

The KV cache is F32 (type_k = type_v = GGML_TYPE_F32) so that on F32 weights nothing
rounds to F16 on the way through attention: with llama.cpp's default F16 cache the keys,
values, and through them the queries and softmax weights, are rounded, which moves the
logits of these tiny models by 1e-3 and more. hfd's F32 conformance tests use an F32 cache
too.
"""
import ctypes
import json
import sys

import numpy as np

PROMPTS = ["Once upon a time", "The capital of France is"]
N_PREDICT = 16


class Opaque(ctypes.Structure):
    _fields_ = [("bytes", ctypes.c_uint8 * 512)]


# llama_context_params of this release (llama.h at c392e50): after 18 four-byte fields
# (n_ctx ... defrag_thold) and the two pointers cb_eval, cb_eval_user_data at 72 come
# type_k and type_v (enum ggml_type) at 88 and 92, then the bools logits_all, embeddings,
# offload_kqv, flash_attn at 96..99.
TYPE_K_OFFSET, TYPE_V_OFFSET, BOOLS_OFFSET = 88, 92, 96
GGML_TYPE_F32, GGML_TYPE_F16 = 0, 1


def f32_kv_context_params(lib):
    params = lib.llama_context_default_params()
    raw = bytes(params.bytes)
    n_ctx = int.from_bytes(raw[0:4], "little")
    type_k = int.from_bytes(raw[TYPE_K_OFFSET:TYPE_K_OFFSET + 4], "little")
    type_v = int.from_bytes(raw[TYPE_V_OFFSET:TYPE_V_OFFSET + 4], "little")
    bools = list(raw[BOOLS_OFFSET:BOOLS_OFFSET + 4])
    # The defaults say where the fields are: F16 cache, offload_kqv on, the others off.
    if (n_ctx, type_k, type_v, bools) != (512, GGML_TYPE_F16, GGML_TYPE_F16, [0, 0, 1, 0]):
        raise SystemExit("llama_context_params layout differs from this script's; "
                         f"defaults read n_ctx={n_ctx} type_k={type_k} type_v={type_v} "
                         f"bools={bools}")
    for offset in (TYPE_K_OFFSET, TYPE_V_OFFSET):
        params.bytes[offset:offset + 4] = list(GGML_TYPE_F32.to_bytes(4, "little"))
    return params


def load(llama_dir):
    # As the tools do first: load the CPU backend module that best fits this CPU.
    ggml = ctypes.CDLL(f"{llama_dir}/libggml.so")
    ggml.ggml_backend_load_all_from_path.argtypes = [ctypes.c_char_p]
    ggml.ggml_backend_load_all_from_path(llama_dir.encode())
    lib = ctypes.CDLL(f"{llama_dir}/libllama.so")
    P, I32, F = ctypes.c_void_p, ctypes.c_int32, ctypes.POINTER(ctypes.c_float)
    sig = {
        "llama_backend_init": (None, []),
        "llama_model_default_params": (Opaque, []),
        "llama_context_default_params": (Opaque, []),
        "llama_model_load_from_file": (P, [ctypes.c_char_p, Opaque]),
        "llama_init_from_model": (P, [P, Opaque]),
        "llama_model_get_vocab": (P, [P]),
        "llama_vocab_n_tokens": (I32, [P]),
        "llama_tokenize": (I32, [P, ctypes.c_char_p, I32, ctypes.POINTER(I32), I32,
                                 ctypes.c_bool, ctypes.c_bool]),
        "llama_token_to_piece": (I32, [P, I32, ctypes.c_char_p, I32, I32, ctypes.c_bool]),
        "llama_batch_get_one": (Opaque, [ctypes.POINTER(I32), I32]),
        "llama_decode": (I32, [P, Opaque]),
        "llama_get_logits_ith": (F, [P, I32]),
        "llama_free": (None, [P]),
        "llama_model_free": (None, [P]),
    }
    for name, (res, args) in sig.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = res, args
    lib.llama_backend_init()
    return lib


def piece(lib, vocab, token):
    buf = ctypes.create_string_buffer(256)
    n = lib.llama_token_to_piece(vocab, token, buf, 256, 0, True)
    return buf.raw[:n]


def top5(logits):
    ids = np.argsort(-logits, kind="stable")[:5]
    m = float(np.max(logits.astype(np.float64)))
    lse = m + float(np.log(np.sum(np.exp(logits.astype(np.float64) - m))))
    return [int(i) for i in ids], [float(logits[i]) for i in ids], lse


def run(lib, path):
    model = lib.llama_model_load_from_file(path.encode(), lib.llama_model_default_params())
    if not model:
        raise SystemExit(f"llama.cpp cannot load {path}")
    vocab = lib.llama_model_get_vocab(model)
    n_vocab = lib.llama_vocab_n_tokens(vocab)
    out = {}
    for prompt in PROMPTS:
        ctx = lib.llama_init_from_model(model, f32_kv_context_params(lib))
        text = prompt.encode()
        ids = (ctypes.c_int32 * 256)()
        n = lib.llama_tokenize(vocab, text, len(text), ids, 256, True, True)
        prompt_ids = list(ids[:n])
        entry = {"prompt_ids": prompt_ids, "n_vocab": n_vocab, "steps": []}
        batch = (ctypes.c_int32 * len(prompt_ids))(*prompt_ids)
        greedy, raw = [], b"".join(piece(lib, vocab, t) for t in prompt_ids)
        for step in range(N_PREDICT + 1):
            if lib.llama_decode(ctx, lib.llama_batch_get_one(batch, len(batch))) != 0:
                raise SystemExit(f"llama_decode failed on {path}")
            logits = np.ctypeslib.as_array(lib.llama_get_logits_ith(ctx, -1), (n_vocab,)).copy()
            t_ids, t_logits, lse = top5(logits)
            if step == 0:
                entry.update(last_prompt_top5_ids=t_ids, last_prompt_top5_logits=t_logits,
                             last_prompt_logsumexp=lse)
            if step == N_PREDICT:
                break
            entry["steps"].append({"top5_ids": t_ids, "top5_logits": t_logits, "logsumexp": lse})
            # The greedy sampler's choice: the first of the largest logits.
            token = int(np.argmax(logits))
            greedy.append(token)
            raw += piece(lib, vocab, token)
            batch = (ctypes.c_int32 * 1)(token)
        entry["greedy_ids"] = greedy
        entry["text"] = raw.decode("utf-8", errors="replace")
        out[prompt] = entry
        lib.llama_free(ctx)
    lib.llama_model_free(model)
    return out


def main():
    llama_dir, out_path, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    lib = load(llama_dir)
    result = {f.rsplit("/", 1)[-1]: run(lib, f) for f in files}
    with open(out_path, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
