#!/usr/bin/python3
"""Independent float64 forward pass of mixture-of-experts GGUF files (F32 tensors): Mixtral
(`llama` with expert_count), `qwen2moe` and `qwen3moe`, written from the published modeling
facts (transformers' Mixtral, Qwen2-MoE and Qwen3-MoE modeling code; llama.cpp's GGUF keys
and tensor names), as the reference for `qwen3moe`, which the llama.cpp reference build
lacks.

Routing: softmax over all experts' router logits, the top-k experts (the lower id first
among equal probabilities), their probabilities as weights, divided by their sum for
Mixtral and Qwen3-MoE (norm_topk_prob; llama.cpp sets it for both) but not Qwen2-MoE. Each
expert is SwiGLU: down(silu(gate x) * up x). Qwen2-MoE adds a shared expert times
sigmoid(shared_expert_gate x). Qwen3-MoE has per-head RMS norms of q and k and no biases.
llama GGUFs hold Q/K rows permuted for interleaved-pair RoPE; the others use half-split.

Checked against llama.cpp (fixtures/arch/llama.cpp-logits.json), teacher-forced on its
greedy tokens, every step of both prompts: `check` prints the largest top-5 logit
difference (tiny-mixtral-F32 and tiny-qwen2moe-F32: see tests/cpu/testdata/moe/README.md).

Usage:
  /usr/bin/python3 scripts/moe_reference.py check FILE.gguf LOGITS.json
  /usr/bin/python3 scripts/moe_reference.py make FILE.gguf OUT.json  (16 greedy tokens per
      prompt, in llama.cpp-logits.json's format)
"""
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gemma_reference import read_gguf, rms_norm, rope_half_split  # noqa: E402

PROMPTS = {'Once upon a time': [1, 1551, 346, 2501, 263, 931],
           'The capital of France is': [1, 450, 2117, 2410, 310, 1352, 346, 338]}


def rope_interleaved(x, pos, theta, head_dim):
    inv = theta ** (-np.arange(0, head_dim, 2) / head_dim)
    ang = pos[:, None] * inv[None, :]
    c, s = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
    a, b = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2] = a * c - b * s
    out[..., 1::2] = a * s + b * c
    return out


def silu(x):
    return x / (1 + np.exp(-x))


def route(logits, k, norm):
    """Per token: the k picked expert ids and their weights."""
    p = np.exp(logits - logits.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    ids = np.argsort(-p, axis=-1, kind='stable')[:, :k]
    w = np.take_along_axis(p, ids, -1)
    if norm:
        w /= w.sum(-1, keepdims=True)
    return ids, w


def moe(h, t, b, k, norm):
    ids, w = route(h @ t[b + 'ffn_gate_inp.weight'].T, k, norm)
    gate, up, down = (t[b + f'ffn_{m}_exps.weight'] for m in ('gate', 'up', 'down'))
    out = np.zeros_like(h)
    for i in range(h.shape[0]):
        for s in range(k):
            e = ids[i, s]
            out[i] += w[i, s] * (down[e] @ (silu(gate[e] @ h[i]) * (up[e] @ h[i])))
    if b + 'ffn_gate_inp_shexp.weight' in t:
        shared = silu(h @ t[b + 'ffn_gate_shexp.weight'].T) * (h @ t[b + 'ffn_up_shexp.weight'].T)
        shared = shared @ t[b + 'ffn_down_shexp.weight'].T
        g = h @ t[b + 'ffn_gate_inp_shexp.weight'].reshape(-1)
        out += shared / (1 + np.exp(-g))[:, None]
    return out


def forward(meta, t, ids):
    arch = meta['general.architecture']
    p = arch + '.'
    n_embd = meta[p + 'embedding_length']
    n_head = meta[p + 'attention.head_count']
    n_kv = meta.get(p + 'attention.head_count_kv', n_head)
    head_dim = meta.get(p + 'attention.key_length', n_embd // n_head)
    eps = meta[p + 'attention.layer_norm_rms_epsilon']
    theta = meta.get(p + 'rope.freq_base', 10000.0)
    k = meta[p + 'expert_used_count']
    norm = arch != 'qwen2moe'
    rope = rope_interleaved if arch == 'llama' else rope_half_split
    n = len(ids)
    pos = np.arange(n, dtype=np.float64)
    x = t['token_embd.weight'][ids]
    for il in range(meta[p + 'block_count']):
        b = f'blk.{il}.'

        def proj(h, m, heads):
            y = h @ t[b + m + '.weight'].T
            if b + m + '.bias' in t:
                y = y + t[b + m + '.bias']
            return y.reshape(n, heads, head_dim)
        h = rms_norm(x, t[b + 'attn_norm.weight'], eps)
        q, kk, v = proj(h, 'attn_q', n_head), proj(h, 'attn_k', n_kv), proj(h, 'attn_v', n_kv)
        if b + 'attn_q_norm.weight' in t:
            q = rms_norm(q, t[b + 'attn_q_norm.weight'], eps)
            kk = rms_norm(kk, t[b + 'attn_k_norm.weight'], eps)
        q = rope(q, pos, theta, head_dim) / math.sqrt(head_dim)
        kk = rope(kk, pos, theta, head_dim)
        rep = n_head // n_kv
        kk, v = np.repeat(kk, rep, axis=1), np.repeat(v, rep, axis=1)
        s = np.einsum('qhd,khd->hqk', q, kk)
        s = np.where((np.arange(n)[None, :] > np.arange(n)[:, None])[None], -np.inf, s)
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        o = np.einsum('hqk,khd->qhd', s, v).reshape(n, n_head * head_dim)
        x = x + o @ t[b + 'attn_output.weight'].T
        x = x + moe(rms_norm(x, t[b + 'ffn_norm.weight'], eps), t, b, k, norm)
    x = rms_norm(x, t['output_norm.weight'], eps)
    return x @ t.get('output.weight', t['token_embd.weight']).T


def step_entry(logits):
    top = np.argsort(-logits, kind='stable')[:5]
    m = logits.max()
    return {'top5_ids': top.tolist(), 'top5_logits': logits[top].tolist(),
            'logsumexp': float(m + np.log(np.exp(logits - m).sum()))}


def check(meta, t, reference):
    worst = 0.0
    for prompt, c in reference.items():
        ids = c['prompt_ids'] + c['greedy_ids'][:-1]
        logits = forward(meta, t, ids)
        for i, step in enumerate(c['steps']):
            row = logits[len(c['prompt_ids']) - 1 + i]
            for tid, want in zip(step['top5_ids'], step['top5_logits']):
                worst = max(worst, abs(row[tid] - want))
            worst = max(worst, abs(step_entry(row)['logsumexp'] - step['logsumexp']))
    return worst


def make(meta, t):
    out = {}
    for prompt, ids in PROMPTS.items():
        ids = list(ids)
        steps, greedy = [], []
        for _ in range(16):
            row = forward(meta, t, ids)[-1]
            steps.append(step_entry(row))
            greedy.append(int(steps[-1]['top5_ids'][0]))
            ids.append(greedy[-1])
        out[prompt] = {'prompt_ids': PROMPTS[prompt], 'n_vocab': int(row.shape[0]),
                       'steps': steps, 'greedy_ids': greedy}
    return out


if __name__ == '__main__':
    mode, path = sys.argv[1], sys.argv[2]
    meta, t = read_gguf(path)
    if mode == 'check':
        ref = json.load(open(sys.argv[3]))[os.path.basename(path)]
        print(f'{os.path.basename(path)}: largest top-5 logit / logsumexp difference from '
              f'llama.cpp {check(meta, t, ref):.2e}')
    else:
        name = os.path.basename(path)
        json.dump({name: make(meta, t)}, open(sys.argv[3], 'w'), indent=1)
