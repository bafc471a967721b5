#!/bin/sh
# Regenerates tiny-bert.gguf (hfd's own GGUF writer: random weights, the bert-bge WordPiece
# vocabulary) and llama.cpp's embeddings of it in llama-embedding.json, for
# tests/embed/embedding_conformance_test.cc.
#
#   tests/embed/testdata/make_tiny_bert.sh BUILD_DIR SHARED_DIR
# e.g. build/release /work/shared
set -eu
build=$1
shared=$2
here=$(cd "$(dirname "$0")" && pwd)
"$build/tools/hfd-make-tiny-bert" --vocab "$shared/fixtures/vocab/ggml-vocab-bert-bge.gguf" \
  --out "$here/tiny-bert.gguf"
texts="hello world
The quick brown fox jumps over the lazy dog.
Embeddings let local apps search and retrieve.
a"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for pooling in mean cls last; do
  "$shared/reference/llama.cpp/llama-embedding" -m "$here/tiny-bert.gguf" -c 128 -b 128 \
    -ub 128 -t 2 --pooling "$pooling" --embd-normalize 2 --embd-output-format array \
    -p "$texts" >"$tmp/$pooling.json" 2>/dev/null
done
/usr/bin/python3 - "$tmp" "$here/llama-embedding.json" "$texts" <<'PY'
import json, sys
tmp, out, texts = sys.argv[1], sys.argv[2], sys.argv[3].split("\n")
ref = {"model": "tiny-bert.gguf", "normalize": "l2", "texts": texts, "embeddings": {}}
for pooling in ("mean", "cls", "last"):
    with open(f"{tmp}/{pooling}.json") as f:
        ref["embeddings"][pooling] = json.load(f)
with open(out, "w") as f:
    json.dump(ref, f, indent=1)
    f.write("\n")
PY
