#!/usr/bin/python3
"""Independent float64 forward pass of mixture-of-experts GGUF files (F32 tensors, MXFP4
experts): Mixtral (`llama` with expert_count), `qwen2moe`, `qwen3moe` and `gpt-oss`, written
from the published modeling facts (transformers' Mixtral, Qwen2-MoE, Qwen3-MoE and GPT-OSS
modeling code; llama.cpp's GGUF keys and tensor names), as the reference for `qwen3moe` and
`gpt-oss`, which the llama.cpp reference build lacks.

gpt-oss (transformers' modeling_gpt_oss.py): biases on q/k/v/o, the router and every expert
projection; per-head sink logits joined to each attention softmax and dropped after it; the
window (attention.sliding_window keys, itself included) on the even layers, full attention
on the odd; YaRN RoPE (half-split) with its ramp's ends unrounded ("truncate": false) and
cos/sin times 0.1 ln(factor) + 1; softmax over the top-k router logits; experts
(up + 1) * g * sigmoid(1.702 g) with g = min(gate, 7), up clamped to [-7, 7]; the norm
before the experts is GGUF's post_attention_norm.

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


def clamped_swiglu(gate, up, alpha=1.702, limit=7.0):
    g = np.minimum(gate, limit)
    return (np.clip(up, -limit, limit) + 1) * g / (1 + np.exp(-alpha * g))


def bias_of(t, name):
    """A projection's bias, or 0 when it has none."""
    return t.get(name.replace('.weight', '.bias'), np.zeros(1))


def moe(h, t, b, k, norm, act=None):
    router = b + 'ffn_gate_inp.weight'
    ids, w = route(h @ t[router].T + bias_of(t, router), k, norm)
    names = [b + f'ffn_{m}_exps.weight' for m in ('gate', 'up', 'down')]
    gate, up, down = (t[n] for n in names)
    # The experts' biases, one row per expert (gpt-oss), or rows of 0.
    bg, bu, bd = (t.get(n.replace('.weight', '.bias'), np.zeros((len(t[n]), 1))) for n in names)
    act = act or (lambda g, u: silu(g) * u)
    out = np.zeros_like(h)
    for i in range(h.shape[0]):
        for s in range(k):
            e = ids[i, s]
            a = act(gate[e] @ h[i] + bg[e], up[e] @ h[i] + bu[e])
            out[i] += w[i, s] * (down[e] @ a + bd[e])
    if b + 'ffn_gate_inp_shexp.weight' in t:
        shared = silu(h @ t[b + 'ffn_gate_shexp.weight'].T) * (h @ t[b + 'ffn_up_shexp.weight'].T)
        shared = shared @ t[b + 'ffn_down_shexp.weight'].T
        g = h @ t[b + 'ffn_gate_inp_shexp.weight'].reshape(-1)
        out += shared / (1 + np.exp(-g))[:, None]
    return out


def yarn_inv_freq(meta, p, theta, head_dim):
    """transformers' YaRN frequencies without rounding the ramp's ends (gpt-oss's config has
    "truncate": false), and the cos/sin magnitude."""
    factor = meta[p + 'rope.scaling.factor']
    original = meta[p + 'rope.scaling.original_context_length']
    base = theta ** (-np.arange(0, head_dim, 2) / head_dim)

    def correction_dim(rotations):
        return head_dim * math.log(original / (rotations * 2 * math.pi)) / (2 * math.log(theta))
    low = max(correction_dim(32.0), 0)
    high = min(correction_dim(1.0), head_dim - 1)
    ramp = np.clip((np.arange(head_dim // 2) - low) / (high - low), 0, 1)
    extrapolate = 1 - ramp
    return base / factor * (1 - extrapolate) + base * extrapolate, 0.1 * math.log(factor) + 1


def rope_freqs(x, pos, inv, mscale):
    half = x.shape[-1] // 2
    ang = pos[:, None] * inv[None, :]
    c, s = mscale * np.cos(ang)[:, None, :], mscale * np.sin(ang)[:, None, :]
    a, b = x[..., :half], x[..., half:]
    return np.concatenate([a * c - b * s, a * s + b * c], axis=-1)


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
    gpt_oss = arch == 'gpt-oss'
    if gpt_oss:
        inv, mscale = yarn_inv_freq(meta, p, theta, head_dim)
        rope = lambda x, pos, theta, head_dim: rope_freqs(x, pos, inv, mscale)  # noqa: E731
    window = meta.get(p + 'attention.sliding_window', 0) if gpt_oss else 0
    ffn_norm = 'post_attention_norm.weight' if gpt_oss else 'ffn_norm.weight'
    act = clamped_swiglu if gpt_oss else None
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
        later = np.arange(n)[None, :] > np.arange(n)[:, None]
        if window and il % 2 == 0:
            later |= np.arange(n)[None, :] <= np.arange(n)[:, None] - window
        s = np.where(later[None], -np.inf, s)
        if b + 'attn_sinks.weight' in t:  # one more logit per head, dropped after the softmax
            sink = np.broadcast_to(t[b + 'attn_sinks.weight'][:, None, None], (n_head, n, 1))
            s = np.concatenate([s, sink], axis=-1)
        s = np.exp(s - s.max(-1, keepdims=True))
        s = (s / s.sum(-1, keepdims=True))[..., :n]
        o = np.einsum('hqk,khd->qhd', s, v).reshape(n, n_head * head_dim)
        x = x + o @ t[b + 'attn_output.weight'].T + bias_of(t, b + 'attn_output.weight')
        x = x + moe(rms_norm(x, t[b + ffn_norm], eps), t, b, k, norm, act)
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
