#!/bin/sh
# Regenerates tiny-qwen3moe-F32.gguf and tiny-gptoss.gguf with hfd's own GGUF writer and
# their reference logits from the independent numpy forward pass (scripts/moe_reference.py;
# README.md). Run from this folder:
#
#   ./make.sh [BUILD_DIR] [VOCAB.gguf]
set -eu
build=${1:-../../../../build/release}
vocab=${2:-../../../../../shared/fixtures/arch/tiny-phi3-F32.gguf}
"$build/bench/write_synthetic_model" --config tiny-qwen3moe.config.json --type F32 \
  --vocab-from "$vocab" --seed 18 --distinct-rows 0 --norm-spread 0.1 tiny-qwen3moe-F32.gguf
/usr/bin/python3 ../../../../scripts/moe_reference.py make tiny-qwen3moe-F32.gguf reference-logits.json
# gpt-oss: MXFP4 experts (the writer's choice for gpt-oss), F32 elsewhere.
"$build/bench/write_synthetic_model" --config tiny-gptoss.config.json --type F32 \
  --vocab-from "$vocab" --seed 18 --distinct-rows 0 --norm-spread 0.1 tiny-gptoss.gguf
/usr/bin/python3 ../../../../scripts/moe_reference.py make tiny-gptoss.gguf gptoss-reference-logits.json
