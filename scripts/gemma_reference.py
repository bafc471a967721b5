#!/usr/bin/python3
"""Independent float64 forward pass of Gemma 2 and Gemma 3 GGUF files (F32 or Q8_0 tensors),
written from the published modeling facts (transformers' Gemma2 and Gemma3 modeling code,
llama.cpp's GGUF keys), to serve as the reference for Gemma-family models that the llama.cpp
reference build lacks (gemma3).

Gemma 3 over Gemma 2: per-head RMS norms of q and k (GGUF stores them as 1 + w, as every
Gemma norm), one global layer in six ((i + 1) % 6 == 0) and the others local (sliding
window, RoPE base 10000, unscaled), the global layers at rope.freq_base with linear
rope.scaling, no attention soft-capping, final soft-capping only when the file sets it.

Checked against llama.cpp (fixtures/arch/llama.cpp-logits.json) on
fixtures/arch/tiny-gemma2-F32.gguf, teacher-forced on its greedy tokens: the same top-1 at
all 32 steps and llama.cpp's top-5 logits within 2.5e-3 (llama.cpp rounds its KV cache,
queries and softmax weights to F16; prompts of 6 and 8 tokens and 16 greedy tokens, past the
sliding window of 8):

    /usr/bin/python3 scripts/gemma_reference.py check LLAMA_LOGITS.json FILE.gguf

Records the reference of files the llama.cpp build cannot run (F32 or Q8_0 tensors, the
latter computed from their dequantized values), in the format of llama.cpp-logits.json
(per file and prompt: ids, 16 greedy ids, each step's top-5 logits and logsumexp), from
prompts given as {"text": [ids], ...}:

    /usr/bin/python3 scripts/gemma_reference.py record OUT.json PROMPTS_JSON FILE.gguf...

and prints the last position's top-5 of one prompt:

    /usr/bin/python3 scripts/gemma_reference.py FILE.gguf '[1, 1551, 346]'
"""
import json
import math
import struct
import sys

import numpy as np

SCALARS = {0: 'B', 1: 'b', 2: 'H', 3: 'h', 4: 'I', 5: 'i', 6: 'f', 7: '?', 10: 'Q', 11: 'q', 12: 'd'}


def e2m1(codes):
    """OCP Microscaling's FP4 (E2M1) values of 4-bit codes: sign, 2 exponent bits (bias 1),
    1 mantissa bit; exponent 0 is subnormal (0 or 0.5)."""
    sign = np.where(codes & 8, -1.0, 1.0)
    exp, man = (codes >> 1) & 3, (codes & 1).astype(np.float64)
    mag = np.where(exp == 0, 0.5 * man, np.exp2(exp.astype(np.float64) - 1) * (1 + 0.5 * man))
    return sign * mag


def read_gguf(path):
    data = open(path, 'rb').read()
    pos = 0

    def take(fmt):
        nonlocal pos
        v = struct.unpack_from('<' + fmt, data, pos)
        pos += struct.calcsize('<' + fmt)
        return v[0]

    def string():
        nonlocal pos
        n = take('Q')
        s = data[pos:pos + n].decode('utf-8', 'replace')
        pos += n
        return s

    def value(t):
        if t == 8:
            return string()
        if t == 9:
            et, n = take('I'), take('Q')
            return [value(et) for _ in range(n)]
        return take(SCALARS[t])

    assert data[:4] == b'GGUF'
    pos = 4
    take('I')
    n_tensors, n_kv = take('Q'), take('Q')
    meta = {}
    for _ in range(n_kv):
        key = string()
        meta[key] = value(take('I'))
    infos = []
    for _ in range(n_tensors):
        name = string()
        dims = [take('Q') for _ in range(take('I'))]
        infos.append((name, dims, take('I'), take('Q')))
    align = meta.get('general.alignment', 32)
    start = (pos + align - 1) // align * align
    tensors = {}
    for name, dims, ttype, off in infos:
        n = int(np.prod(dims))
        if ttype == 0:  # F32
            arr = np.frombuffer(data, np.float32, n, start + off).astype(np.float64)
        elif ttype == 8:  # Q8_0: blocks of 32 int8 values after their F16 scale
            blocks = np.frombuffer(data, np.uint8, n // 32 * 34, start + off).reshape(-1, 34)
            scale = blocks[:, :2].copy().view(np.float16).astype(np.float64)
            arr = (blocks[:, 2:].copy().view(np.int8).astype(np.float64) * scale).reshape(-1)
        elif ttype == 39:  # MXFP4: blocks of 32 after their E8M0 scale byte
            blocks = np.frombuffer(data, np.uint8, n // 32 * 17, start + off).reshape(-1, 17)
            codes = np.concatenate([blocks[:, 1:] & 15, blocks[:, 1:] >> 4], axis=1)
            scale = np.exp2(blocks[:, :1].astype(np.float64) - 127)
            arr = (e2m1(codes) * scale).reshape(-1)
        else:
            raise ValueError(f'{name}: only F32, Q8_0 and MXFP4 tensors')
        tensors[name] = arr.reshape(list(reversed(dims)))
    return meta, tensors


def rms_norm(x, w, eps):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * w


def gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def rope_half_split(x, pos, theta, head_dim):
    half = head_dim // 2
    inv = theta ** (-np.arange(0, head_dim, 2) / head_dim)
    ang = pos[:, None] * inv[None, :]
    c, s = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
    a, b = x[..., :half], x[..., half:]
    return np.concatenate([a * c - b * s, a * s + b * c], axis=-1)


def forward(meta, t, ids):
    """Logits of every position of `ids`."""
    arch = meta['general.architecture']
    assert arch in ('gemma2', 'gemma3'), arch
    gemma3 = arch == 'gemma3'
    p = arch + '.'
    n_embd = meta[p + 'embedding_length']
    n_layer = meta[p + 'block_count']
    n_head = meta[p + 'attention.head_count']
    n_kv = meta.get(p + 'attention.head_count_kv', n_head)
    head_dim = meta.get(p + 'attention.key_length', n_embd // n_head)
    eps = meta[p + 'attention.layer_norm_rms_epsilon']
    theta = meta.get(p + 'rope.freq_base', 10000.0)
    window = meta.get(p + 'attention.sliding_window', 0)
    attn_cap = meta.get(p + 'attn_logit_softcapping', 0.0)
    final_cap = meta.get(p + 'final_logit_softcapping', 0.0)
    # Every other layer is local in Gemma 2, five in six in Gemma 3 (the sixth global).
    period = 6 if gemma3 else 2
    # Gemma 3's global layers: linear scaling divides the positions by the factor.
    scale = 1.0
    if meta.get(p + 'rope.scaling.type') == 'linear':
        scale = 1.0 / meta[p + 'rope.scaling.factor']
    # Queries scaled by query_pre_attn_scalar^-0.5: n_embd / n_head for the 27B models
    # (46 layers in Gemma 2, 62 in Gemma 3), head_dim for the others.
    big = n_layer == (62 if gemma3 else 46)
    q_scale = 1 / math.sqrt(n_embd // n_head if big else head_dim)
    n = len(ids)
    pos = np.arange(n, dtype=np.float64)
    x = t['token_embd.weight'][ids] * math.sqrt(n_embd)
    for il in range(n_layer):
        b = f'blk.{il}.'
        local = bool(window) and (il + 1) % period != 0
        h = rms_norm(x, t[b + 'attn_norm.weight'], eps)
        q = (h @ t[b + 'attn_q.weight'].T).reshape(n, n_head, head_dim)
        k = (h @ t[b + 'attn_k.weight'].T).reshape(n, n_kv, head_dim)
        v = (h @ t[b + 'attn_v.weight'].T).reshape(n, n_kv, head_dim)
        if gemma3:
            q = rms_norm(q, t[b + 'attn_q_norm.weight'], eps)
            k = rms_norm(k, t[b + 'attn_k_norm.weight'], eps)
        if gemma3 and local:
            layer_theta, layer_pos = 10000.0, pos
        else:
            layer_theta, layer_pos = theta, pos * (scale if gemma3 else 1.0)
        q = rope_half_split(q, layer_pos, layer_theta, head_dim) * q_scale
        k = rope_half_split(k, layer_pos, layer_theta, head_dim)
        rep = n_head // n_kv
        k, v = np.repeat(k, rep, axis=1), np.repeat(v, rep, axis=1)
        s = np.einsum('qhd,khd->hqk', q, k)
        if attn_cap:
            s = attn_cap * np.tanh(s / attn_cap)
        qi, ki = np.arange(n)[:, None], np.arange(n)[None, :]
        masked = ki > qi
        if local:
            masked |= qi - ki >= window
        s = np.where(masked[None], -np.inf, s)
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        o = np.einsum('hqk,khd->qhd', s, v).reshape(n, n_head * head_dim)
        o = o @ t[b + 'attn_output.weight'].T
        x = x + rms_norm(o, t[b + 'post_attention_norm.weight'], eps)
        h = rms_norm(x, t[b + 'ffn_norm.weight'], eps)
        f = gelu_tanh(h @ t[b + 'ffn_gate.weight'].T) * (h @ t[b + 'ffn_up.weight'].T)
        f = f @ t[b + 'ffn_down.weight'].T
        x = x + rms_norm(f, t[b + 'post_ffw_norm.weight'], eps)
    x = rms_norm(x, t['output_norm.weight'], eps)
    out = t.get('output.weight', t['token_embd.weight'])
    logits = x @ out.T
    if final_cap:
        logits = final_cap * np.tanh(logits / final_cap)
    return logits


def top5(row):
    top = np.argsort(-row)[:5]
    m = row.max()
    return {'top5_ids': top.tolist(), 'top5_logits': row[top].tolist(),
            'logsumexp': float(m + np.log(np.exp(row - m).sum()))}


def record(meta, t, prompt_ids, n_predict=16):
    ids = list(prompt_ids)
    steps = []
    for _ in range(n_predict):
        row = forward(meta, t, ids)[-1]
        steps.append(top5(row))
        ids.append(steps[-1]['top5_ids'][0])
    return {'prompt_ids': list(prompt_ids), 'n_vocab': int(t['token_embd.weight'].shape[0]),
            'greedy_ids': ids[len(prompt_ids):], 'steps': steps}


def check(reference, meta, t):
    """Teacher-forced on llama.cpp's tokens: the largest difference of its top-5 logits from
    ours, and at how many of its steps the top-1 is the same."""
    worst, same_top1, steps = 0.0, 0, 0
    for c in reference.values():
        ids = c['prompt_ids'] + c['greedy_ids'][:-1]
        logits = forward(meta, t, ids)
        for i, step in enumerate(c['steps']):
            row = logits[len(c['prompt_ids']) - 1 + i]
            steps += 1
            same_top1 += int(np.argmax(row)) == step['top5_ids'][0]
            worst = max(worst, float(np.max(np.abs(row[step['top5_ids']] - step['top5_logits']))))
    return worst, same_top1, steps


if __name__ == '__main__':
    if sys.argv[1] == 'record':
        prompts = json.loads(sys.argv[3])
        out = {}
        for path in sys.argv[4:]:
            meta, t = read_gguf(path)
            name = path.rsplit('/', 1)[-1]
            out[name] = {text: record(meta, t, ids) for text, ids in prompts.items()}
        with open(sys.argv[2], 'w') as f:
            json.dump(out, f, indent=1)
            f.write('\n')
    elif sys.argv[1] == 'check':
        meta, t = read_gguf(sys.argv[3])
        name = sys.argv[3].rsplit('/', 1)[-1]
        worst, same_top1, steps = check(json.load(open(sys.argv[2]))[name], meta, t)
        print(json.dumps({'largest_top5_logit_difference': worst, 'same_top1': same_top1,
                          'steps': steps}))
    else:
        meta, t = read_gguf(sys.argv[1])
        row = forward(meta, t, json.loads(sys.argv[2]))[-1]
        print(json.dumps({k: v for k, v in top5(row).items() if k != 'logsumexp'}))
