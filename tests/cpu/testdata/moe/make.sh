#!/bin/sh
# Regenerates tiny-qwen3moe-F32.gguf with hfd's own GGUF writer and its reference logits
# from the independent numpy forward pass (scripts/moe_reference.py; README.md). Run from
# this folder:
#
#   ./make.sh [BUILD_DIR] [VOCAB.gguf]
set -eu
build=${1:-../../../../build/release}
vocab=${2:-../../../../../shared/fixtures/arch/tiny-phi3-F32.gguf}
"$build/bench/write_synthetic_model" --config tiny-qwen3moe.config.json --type F32 \
  --vocab-from "$vocab" --seed 18 --distinct-rows 0 --norm-spread 0.1 tiny-qwen3moe-F32.gguf
/usr/bin/python3 ../../../../scripts/moe_reference.py make tiny-qwen3moe-F32.gguf reference-logits.json
