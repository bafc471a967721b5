#!/usr/bin/python3
"""Independent float64 forward pass of Gemma 2 GGUF files (F32 tensors), written from the
published modeling facts (transformers' Gemma2 modeling code, llama.cpp's GGUF keys), to
serve as the reference for Gemma-family models that the llama.cpp reference build lacks
(gemma3: the next step adds its q/k norms, 5:1 local:global layers and second RoPE base).

Checked against llama.cpp (fixtures/arch/llama.cpp-logits.json) on
fixtures/arch/tiny-gemma2-F32.gguf: the top-5 ids agree and the logits are within 1.8e-3,
at the last prompt position and at the last greedy step (21 and 23 tokens, past the
sliding window of 8).

Usage: /usr/bin/python3 scripts/gemma_reference.py FILE.gguf '[1, 1551, 346]'
prints the last position's top-5 ids and logits as JSON.
"""
import json
import math
import struct
import sys

import numpy as np

SCALARS = {0: 'B', 1: 'b', 2: 'H', 3: 'h', 4: 'I', 5: 'i', 6: 'f', 7: '?', 10: 'Q', 11: 'q', 12: 'd'}


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
        assert ttype == 0, f'{name}: only F32 files'
        n = int(np.prod(dims))
        arr = np.frombuffer(data, np.float32, n, start + off).astype(np.float64)
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
    arch = meta['general.architecture']
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
    n = len(ids)
    pos = np.arange(n, dtype=np.float64)
    x = t['token_embd.weight'][ids] * math.sqrt(n_embd)
    for il in range(n_layer):
        b = f'blk.{il}.'
        h = rms_norm(x, t[b + 'attn_norm.weight'], eps)
        q = (h @ t[b + 'attn_q.weight'].T).reshape(n, n_head, head_dim)
        k = (h @ t[b + 'attn_k.weight'].T).reshape(n, n_kv, head_dim)
        v = (h @ t[b + 'attn_v.weight'].T).reshape(n, n_kv, head_dim)
        q = rope_half_split(q, pos, theta, head_dim) / math.sqrt(head_dim)
        k = rope_half_split(k, pos, theta, head_dim)
        rep = n_head // n_kv
        k, v = np.repeat(k, rep, axis=1), np.repeat(v, rep, axis=1)
        s = np.einsum('qhd,khd->hqk', q, k)
        if attn_cap:
            s = attn_cap * np.tanh(s / attn_cap)
        qi, ki = np.arange(n)[:, None], np.arange(n)[None, :]
        masked = ki > qi
        if window and il % 2 == 0:  # gemma2: sliding window on even layers
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


if __name__ == '__main__':
    meta, t = read_gguf(sys.argv[1])
    ids = json.loads(sys.argv[2])
    logits = forward(meta, t, ids)[-1]
    top = np.argsort(-logits)[:5]
    print(json.dumps({'top5_ids': top.tolist(), 'top5_logits': logits[top].tolist()}))
