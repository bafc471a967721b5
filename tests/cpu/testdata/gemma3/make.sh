#!/bin/sh
# Regenerates the tiny gemma3 model of this folder with hfd's own GGUF writer (F32 and Q8_0:
# the llama.cpp reference build cannot quantize an architecture it does not know) and the
# numpy reference's outputs on both files (README.md). Run from this folder:
#
#   ./make.sh [BUILD_DIR] [LLAMA_DIR] [VOCAB.gguf]
set -eu
build=${1:-../../../../build/release}
llama=${2:-../../../../../shared/reference/llama.cpp}
vocab=${3:-../../../../../shared/fixtures/arch/tiny-phi3-F32.gguf}
for type in F32 Q8_0; do
  "$build/bench/write_synthetic_model" --config tiny-gemma3.config.json --type "$type" \
    --vocab-from "$vocab" --seed 17 --distinct-rows 0 --norm-spread 0.1 "tiny-gemma3-$type.gguf"
done
# The prompts' ids in the vocabulary the writer copied, as llama.cpp tokenizes them.
prompts="{"
sep=""
for p in "Once upon a time" "The capital of France is"; do
  ids=$("$llama/llama-tokenize" -m "$vocab" -p "$p" --ids --log-disable 2>/dev/null | tail -n 1)
  prompts="$prompts$sep\"$p\": $ids"
  sep=", "
done
/usr/bin/python3 ../../../../scripts/gemma_reference.py record reference-logits.json \
  "$prompts}" tiny-gemma3-F32.gguf tiny-gemma3-Q8_0.gguf
