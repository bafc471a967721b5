#!/bin/sh
# Embeddings/s of a BERT-base-shaped model (write_synthetic_model --shape bert-base, with the
# bge WordPiece vocabulary so llama.cpp loads it) through hfd's engine (embed_bench) and
# llama.cpp's llama-embedding on the same GGUF file, at batch 1 and 32, alternating one run
# of each so that load from other processes on a shared machine falls on both sides alike.
# Prints a markdown table of each side's median embeddings/s and hfd / llama.cpp.
#
#   bench/embed_side_by_side.sh ROUNDS [MIX...]          (mixes: F16 (default), Q8_0, ...)
#
# Each run embeds TEXTS texts of 32 tokens each ([CLS], 30 one-token words, [SEP]) in calls
# of BATCH texts packed into the model's 512-token context: hfd's Session::Embed as the
# daemon's embed method calls it, and llama-embedding with -c = -b = -ub = min(512,
# BATCH x 32) (it requires a batch as large as its context), so both compute the same texts
# together (16 per call at batch 32). Timed on both sides: the engine only, after one
# untimed warm-up call (embed_bench's Embed calls; llama-embedding's "prompt eval time",
# its llama_decode calls after its own warm-up run); loading is not timed, and
# llama-embedding runs with --no-mmap so that it reads its weights at load, as hfd does.
#
# Environment: BUILD (default build/release), LLAMA (default ../shared/reference/llama.cpp),
# VOCAB (default ../shared/fixtures/vocab/ggml-vocab-bert-bge.gguf), THREADS (default 2),
# TEXTS (default 64), DIR (models, written once and reused; default /tmp/hfd-bench-models),
# BASE (optional: another build's folder, e.g. of main, whose embed_bench runs in the same
# alternation and gets a column of its own: an A/B of hfd's change beside llama.cpp).
set -eu
rounds=$1
shift
[ $# -gt 0 ] || set -- F16
build=${BUILD:-build/release}
llama=${LLAMA:-../shared/reference/llama.cpp}
vocab=${VOCAB:-../shared/fixtures/vocab/ggml-vocab-bert-bge.gguf}
threads=${THREADS:-2}
n_texts=${TEXTS:-64}
dir=${DIR:-/tmp/hfd-bench-models}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Texts of 30 words that are one WordPiece token each, each text a different rotation.
/usr/bin/python3 - "$n_texts" >"$tmp/texts.txt" <<'PY'
import sys
words = ("the of and to in is was for on as with by he at from his that it an were are "
         "which this be or has had not but first one their also its new after").split()
for i in range(int(sys.argv[1])):
    print(" ".join(words[(i + k) % len(words)] for k in range(30)))
PY

mkdir -p "$dir"
for mix in "$@"; do
  model="$dir/bert-base-$mix.gguf"
  [ -f "$model" ] || "$build/bench/write_synthetic_model" --shape bert-base --type "$mix" \
    --vocab-from "$vocab" "$model"
  for _ in $(seq "$rounds"); do
    for batch in 1 32; do
      ub=$((batch * 32))
      [ "$ub" -le 512 ] || ub=512
      if [ -n "${BASE:-}" ]; then
        "$BASE/bench/embed_bench" --file "$model" --texts "$tmp/texts.txt" --batch "$batch" \
          --threads "$threads" | sed "s/^/base $mix $batch /" >>"$tmp/log"
      fi
      "$build/bench/embed_bench" --file "$model" --texts "$tmp/texts.txt" --batch "$batch" \
        --threads "$threads" | sed "s/^/hfd $mix $batch /" >>"$tmp/log"
      ms=$("$llama/llama-embedding" -m "$model" -f "$tmp/texts.txt" -c "$ub" -b "$ub" -ub "$ub" \
        -t "$threads" -tb "$threads" --no-mmap 2>&1 >/dev/null |
        sed -n 's/.*prompt eval time = *\([0-9.]*\) ms.*/\1/p')
      [ -n "$ms" ] || { echo "llama-embedding printed no prompt eval time" >&2; exit 1; }
      awk -v n="$n_texts" -v ms="$ms" -v tag="llama $mix $batch" \
        'BEGIN { printf "%s {\"embeddings_per_s\": %f}\n", tag, n * 1000 / ms }' >>"$tmp/log"
    done
  done
done

/usr/bin/python3 - "$tmp/log" <<'PY'
import json, statistics, sys
runs = {}  # (mix, batch, side) -> embeddings/s of each round
for line in open(sys.argv[1]):
    side, mix, batch, rest = line.split(" ", 3)
    runs.setdefault((mix, int(batch), side), []).append(json.loads(rest)["embeddings_per_s"])
base = any(k[2] == "base" for k in runs)
print("| file | batch |" + (" hfd BASE embeddings/s |" if base else "") +
      " hfd embeddings/s | llama.cpp embeddings/s | ratio |" + (" BASE ratio |" if base else ""))
print("| --- | --- |" + " --- |" * (5 if base else 3))
def span(v):
    return f"{statistics.median(v):.1f} ({min(v):.1f}–{max(v):.1f})"
for mix, batch in dict.fromkeys(k[:2] for k in runs):
    h, l = runs[(mix, batch, "hfd")], runs[(mix, batch, "llama")]
    m = statistics.median(l)
    if base:
        b = runs[(mix, batch, "base")]
        print(f"| bert-base-{mix} | {batch} | {span(b)} | {span(h)} | {span(l)} | "
              f"{statistics.median(h) / m:.2f} | {statistics.median(b) / m:.2f} |")
    else:
        print(f"| bert-base-{mix} | {batch} | {span(h)} | {span(l)} | "
              f"{statistics.median(h) / m:.2f} |")
PY
