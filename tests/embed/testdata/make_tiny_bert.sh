#!/bin/sh
# Regenerates tiny-bert.gguf and tiny-nomic-bert.gguf (hfd's own GGUF writer: random
# weights, the bert-bge WordPiece vocabulary) and llama.cpp's embeddings of them in
# llama-embedding.json and llama-embedding-nomic-bert.json, for tests/embed/.
#
#   tests/embed/testdata/make_tiny_bert.sh BUILD_DIR SHARED_DIR
# e.g. build/release /work/shared
set -eu
build=$1
shared=$2
here=$(cd "$(dirname "$0")" && pwd)
texts="hello world
The quick brown fox jumps over the lazy dog.
Embeddings let local apps search and retrieve.
a"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# ARCH MODEL REFERENCE
make_one() {
  "$build/tools/hfd-make-tiny-bert" --arch "$1" \
    --vocab "$shared/fixtures/vocab/ggml-vocab-bert-bge.gguf" --out "$here/$2"
  for pooling in mean cls last; do
    "$shared/reference/llama.cpp/llama-embedding" -m "$here/$2" -c 128 -b 128 \
      -ub 128 -t 2 --pooling "$pooling" --embd-normalize 2 --embd-output-format array \
      -p "$texts" >"$tmp/$pooling.json" 2>/dev/null
  done
  /usr/bin/python3 - "$tmp" "$here/$3" "$texts" "$2" <<'PY'
import json, sys
tmp, out, texts, model = sys.argv[1], sys.argv[2], sys.argv[3].split("\n"), sys.argv[4]
ref = {"model": model, "normalize": "l2", "texts": texts, "embeddings": {}}
for pooling in ("mean", "cls", "last"):
    with open(f"{tmp}/{pooling}.json") as f:
        ref["embeddings"][pooling] = json.load(f)
with open(out, "w") as f:
    json.dump(ref, f, indent=1)
    f.write("\n")
PY
}
make_one bert tiny-bert.gguf llama-embedding.json
make_one nomic-bert tiny-nomic-bert.gguf llama-embedding-nomic-bert.json
