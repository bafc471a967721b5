#!/usr/bin/python3
"""Makes reference.json: Phi-3 longrope and partial rotary, computed with numpy.

Run with Debian's Python (python3-numpy): /usr/bin/python3 make_reference.py
CI never runs it; tests/cpu/longrope_test.cc compares hfd with the file it wrote.

The rotation follows Hugging Face's Phi-3 formulation (modeling_rope_utils' longrope
parameters, apply_rotary_pos_emb with rotate_half on the first rotary_dim dimensions):
  rotary_dim = int(head_dim * partial_rotary_factor)
  inv_freq[i] = 1 / (ext_factor[i] * theta ** (2i / rotary_dim))
  ext_factor = long_factor if the context exceeds original_max_position_embeddings,
               else short_factor
  attention_factor = sqrt(1 + ln(s) / ln(original)), s = max_position / original
  rotated = x_rot * cos * attention_factor + rotate_half(x_rot) * sin * attention_factor,
  the remaining head_dim - rotary_dim dimensions unchanged.
Each case gives a context size (which picks the factor set), positions past the original
context, a query row of n_head heads and the expected rotated row.
"""
import json
import math
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

CONFIG = {
    "hidden_size": 64,
    "num_attention_heads": 2,
    "num_key_value_heads": 1,
    "partial_rotary_factor": 0.75,
    "rope_theta": 10000.0,
    "max_position_embeddings": 256,
    "original_max_position_embeddings": 32,
}


def rotate(x, positions, factors, attn_factor):
    head_dim = CONFIG["hidden_size"] // CONFIG["num_attention_heads"]
    rot = int(head_dim * CONFIG["partial_rotary_factor"])
    exponents = np.arange(0, rot, 2, dtype=np.float64) / rot
    inv_freq = 1.0 / (np.asarray(factors, dtype=np.float64) * CONFIG["rope_theta"] ** exponents)
    rows = []
    for pos in positions:
        angles = pos * inv_freq
        emb = np.concatenate([angles, angles])
        cos, sin = np.cos(emb) * attn_factor, np.sin(emb) * attn_factor
        out = []
        for h in range(CONFIG["num_attention_heads"]):
            head = x[h * head_dim:(h + 1) * head_dim]
            x_rot, x_pass = head[:rot], head[rot:]
            half = rot // 2
            rotated_half = np.concatenate([-x_rot[half:], x_rot[:half]])
            out.append(np.concatenate([x_rot * cos + rotated_half * sin, x_pass]))
        rows.append(np.concatenate(out).tolist())
    return rows


def main():
    rng = np.random.default_rng(17)
    head_dim = CONFIG["hidden_size"] // CONFIG["num_attention_heads"]
    pairs = int(head_dim * CONFIG["partial_rotary_factor"]) // 2
    short = (1.0 + rng.random(pairs)).round(4).tolist()
    long = (1.0 + 7.0 * rng.random(pairs)).round(4).tolist()
    config = dict(CONFIG)
    config["rope_scaling"] = {"type": "longrope", "short_factor": short, "long_factor": long}
    s = CONFIG["max_position_embeddings"] / CONFIG["original_max_position_embeddings"]
    attn = math.sqrt(1 + math.log(s) / math.log(CONFIG["original_max_position_embeddings"]))
    x = rng.standard_normal(CONFIG["hidden_size"]).round(5)
    positions = [40, 131, 255]
    cases = []
    for n_ctx in (32, 256):  # within the original context: short factors; beyond: long
        factors = long if n_ctx > CONFIG["original_max_position_embeddings"] else short
        cases.append({"n_ctx": n_ctx, "positions": positions,
                      "rotated": rotate(x, positions, factors, attn)})
    out = {"config": config, "attention_factor": attn, "q": x.tolist(), "cases": cases}
    with open(os.path.join(HERE, "reference.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
