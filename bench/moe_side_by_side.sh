#!/bin/sh
# Mixture-of-experts decode and prefill (issue 18): a Qwen1.5-MoE-A2.7B-shaped Q4_K_M file
# (write_synthetic_model --shape qwen1.5-moe-a2.7b: 60 experts of 1408, 4 per token, a
# shared expert of 5632) and a dense qwen2 file with the same active parameters (the same
# attention and vocabulary, one feed-forward of 5632 + 4 x 1408 = 11264), both measured by
# bench/side_by_side.sh (hfd's engine_bench against llama.cpp's llama-bench, alternating).
# Then, from the same run: hfd's MoE decode tok/s ÷ its dense decode tok/s, and the peak RSS
# of a decode-only run (16 warm-up tokens, then tg64) ÷ (the weight bytes one decode step
# reads, the routed experts included, + its KV cache).
#
#   bench/moe_side_by_side.sh ROUNDS
#
# Environment: as bench/side_by_side.sh (BUILD, LLAMA, THREADS), plus VOCAB (default
# ../shared/fixtures/vocab/ggml-vocab-llama-spm.gguf, padded to the shape's vocabulary so
# llama.cpp loads the files) and DIR (default /tmp/hfd-bench-moe; the ~10 GB of files are
# deleted at the end unless KEEP=1).
set -eu
rounds=$1
build=${BUILD:-build/release}
vocab=${VOCAB:-../shared/fixtures/vocab/ggml-vocab-llama-spm.gguf}
threads=${THREADS:-2}
dir=${DIR:-/tmp/hfd-bench-moe}
moe=$dir/qwen1.5-moe-a2.7b-Q4_K_M.gguf
dense=$dir/dense-a2.7b-Q4_K_M.gguf
mkdir -p "$dir"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$dir"' EXIT

[ -f "$moe" ] || "$build/bench/write_synthetic_model" --shape qwen1.5-moe-a2.7b --type Q4_K_M \
  --vocab-from "$vocab" "$moe"
cat >"$dir/dense.json" <<'JSON'
{"model_type": "qwen2", "vocab_size": 151936, "hidden_size": 2048, "intermediate_size": 11264,
 "num_hidden_layers": 24, "num_attention_heads": 16, "num_key_value_heads": 16,
 "max_position_embeddings": 8192, "rope_theta": 1000000.0, "rms_norm_eps": 1e-6,
 "tie_word_embeddings": false}
JSON
[ -f "$dense" ] || "$build/bench/write_synthetic_model" --config "$dir/dense.json" --type Q4_K_M \
  --vocab-from "$vocab" "$dense"

rm -f "$dir/log"
LOG="$dir/log" THREADS=$threads "$(dirname "$0")/side_by_side.sh" "$rounds" "$moe" "$dense"
"$build/bench/engine_bench" --file "$moe" --threads "$threads" --reps 1 --tests tg64 --json - \
  2>/dev/null | grep '^{' >"$dir/decode.json"

/usr/bin/python3 - "$dir/log" "$dir/decode.json" "$(basename "$moe" .gguf)" \
  "$(basename "$dense" .gguf)" <<'PY'
import json, statistics, sys
log, decode, moe, dense = sys.argv[1:]
tg = {}  # (side, file) -> tg64 tokens/s of each round
for line in open(log):
    side, name, rest = line.split(" ", 2)
    r = json.loads(rest)
    if side == "hfd":
        tg.setdefault((side, name), []).append(r["tg64"])
    elif not r["n_prompt"]:
        tg.setdefault((side, name), []).append(r["avg_ts"])
print()
for side, label in (("hfd", "hfd"), ("llama", "llama.cpp")):
    m, d = statistics.median(tg[(side, moe)]), statistics.median(tg[(side, dense)])
    print(f"{label}: MoE tg64 {m:.2f} tok/s ÷ dense tg64 {d:.2f} tok/s = {m / d:.2f}")
r = json.loads(open(decode).read())
active = r["weight_bytes_per_token"] + r["kv_cache_mib"] * 2**20
print(f"hfd decode-only run: peak RSS {r['peak_rss_mib']:.0f} MiB ÷ (active weights "
      f"{r['weight_bytes_per_token'] / 2**20:.0f} MiB + KV cache {r['kv_cache_mib']:.0f} MiB)"
      f" = {r['peak_rss_mib'] * 2**20 / active:.2f}; file {r['file_bytes'] / 2**20:.0f} MiB")
PY
