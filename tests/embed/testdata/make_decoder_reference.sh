#!/bin/sh
# Records llama.cpp's last-token embeddings of the fixtures' tiny Qwen2 (a decoder used
# as an embedder, as Qwen3-Embedding is) in llama-embedding-qwen2-last.json, for
# tests/embed/embedding_families_test.cc (which gives hfd a copy of the file whose
# qwen2.pooling_type says last).
#
#   tests/embed/testdata/make_decoder_reference.sh SHARED_DIR     e.g. /work/shared
set -eu
shared=$1
here=$(cd "$(dirname "$0")" && pwd)
texts="hello world
The quick brown fox jumps over the lazy dog.
Embeddings let local apps search and retrieve.
a"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$shared/reference/llama.cpp/llama-embedding" -m "$shared/fixtures/gguf/tiny-qwen2-Q8_0.gguf" \
  -c 128 -b 128 -ub 128 -t 2 --pooling last --embd-normalize 2 --embd-output-format array \
  -p "$texts" >"$out" 2>/dev/null
/usr/bin/python3 - "$out" "$here/llama-embedding-qwen2-last.json" "$texts" <<'PY'
import json, sys
src, out, texts = sys.argv[1], sys.argv[2], sys.argv[3].split("\n")
with open(src) as f:
    vectors = json.load(f)
ref = {"model": "fixtures/gguf/tiny-qwen2-Q8_0.gguf", "normalize": "l2", "texts": texts,
       "embeddings": {"last": vectors}}
with open(out, "w") as f:
    json.dump(ref, f, indent=1)
    f.write("\n")
PY
