#!/bin/sh
# Regenerates the tiny granite, olmo2 and Nemo-shaped llama models of this folder with
# hfd's own GGUF writer, their Q8_0 with llama-quantize, and llama.cpp's outputs on them
# (README.md), and llama.cpp's logits on ../shared/fixtures/arch's F32 gemma2 and phi3 with
# an F32 KV cache. Run from this folder:
#
#   ./make.sh [BUILD_DIR] [LLAMA_DIR] [VOCAB.gguf] [ARCH_DIR]
set -eu
build=${1:-../../../../build/release}
llama=${2:-../../../../../shared/reference/llama.cpp}
vocab=${3:-../../../../../shared/fixtures/arch/tiny-phi3-F32.gguf}
arch=${4:-../../../../../shared/fixtures/arch}
files=""
for m in granite olmo2 nemo; do
  "$build/bench/write_synthetic_model" --config "tiny-$m.config.json" --type F32 \
    --vocab-from "$vocab" --seed 17 --distinct-rows 0 --norm-spread 0.1 "tiny-$m-F32.gguf"
  "$llama/llama-quantize" "tiny-$m-F32.gguf" "tiny-$m-Q8_0.gguf" Q8_0 >/dev/null 2>&1
  files="$files tiny-$m-F32.gguf tiny-$m-Q8_0.gguf"
done
for f in $files; do
  for p in "Once upon a time" "The capital of France is"; do
    echo "=== $f | $p"
    "$llama/llama-simple" -m "$f" -n 16 "$p" 2>/dev/null
    echo
    "$llama/llama-tokenize" -m "$f" -p "$p" --ids --log-disable 2>/dev/null
  done
done | /usr/bin/python3 -c 'import sys; sys.stdout.write(sys.stdin.buffer.read().decode("utf-8", "replace"))' \
  >llama.cpp.txt
# shellcheck disable=SC2086
/usr/bin/python3 llamacpp_logits.py "$llama" llama.cpp-logits.json $files 2>/dev/null
/usr/bin/python3 llamacpp_logits.py "$llama" llama.cpp-logits-arch.json \
  "$arch/tiny-gemma2-F32.gguf" "$arch/tiny-phi3-F32.gguf" "$arch/tiny-mixtral-F32.gguf" \
  "$arch/tiny-qwen2moe-F32.gguf" 2>/dev/null
