#!/usr/bin/env bash
# Runs the Vulkan backend's checks and benchmarks on a machine with a real GPU (the device
# tool's H100/H200, NVIDIA's Vulkan driver) in one go, most important first, writing results
# as it goes, within 10 minutes:
#   1. device info; on device 0 under the validation layer, the device, kernel and
#      cooperative-matrix tests, and conformance (against the CPU backend on the repo's test
#      models: greedy tokens and logits) and fusion with cooperative matrices and without;
#      with fixtures, the fixture models against transformers' reference;
#   2. TinyLlama-1.1B Q4_K_M and Q8_0: vulkan_bench and llama.cpp's llama-bench -ngl 99 -p 512
#      -n 128 on the same files, alternating (bench/side_by_side.sh with VULKAN=1);
#   3. Llama-2-7B Q4_K_M the same way;
#   then every other Vulkan test (batching, serving, embeddings, ...);
#   4. serve_bench: decode through the daemon ÷ the engine, both on the GPU; a daemon with
#      vulkan_max_memory below the model, which `auto` puts on the CPU with the reason in
#      `ps`; then the op fusion and cooperative-matrix variants of vulkan_bench.
#
#   backends/vulkan/bench/run_gpu.sh [--packed DIR] [--fixtures DIR] [--out DIR] [--smoke]
# --packed DIR: run what gpu_pack.sh put in DIR (a machine without hfd's build dependencies;
#   needs root to unpack the .debs into /): the steps its part holds, the others are left
#   out (part 1: steps 1 to 3; part 2: the other tests and step 4; part 3: the fixtures).
#   Otherwise builds from source in build/gpu and takes llama.cpp from LLAMA (default
#   ../shared/reference/llama.cpp); --fixtures names a copy of ../shared/fixtures (without
#   one the fixture conformance tests are skipped).
# --smoke: small models and few tokens instead of the issue's set, to check the run itself,
#   e.g. here on lavapipe: HFD_VK_TEST_DEVICE=llvmpipe VK_DEVICE=llvmpipe, and TESTS naming
#   the test binaries to run (default: all).
# Models are written to /tmp. Results go to --out (default ./gpu-results), at most 8 files:
# device.txt (nvidia-smi), run.log (every step's output and exit status), bench.jsonl
# (vulkan_bench's rows, with the copy bandwidth measured in the same run and each file's
# name), side_by_side.md (the tables hfd ÷ llama.cpp), side_by_side.log (each run's JSON
# line) and serve.jsonl (serve_bench's rows).
set -uo pipefail
cd "$(dirname "$0")/../../.." || exit 1
packed="" fixtures="" out=gpu-results smoke=0
while [ $# -gt 0 ]; do
  case "$1" in
    --packed) packed=$2; shift 2 ;;
    --fixtures) fixtures=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --smoke) smoke=1; shift ;;
    *) echo "run_gpu: unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
log="$out/run.log"
: > "$log"
work=${TMPDIR:-/tmp}/hfd-gpu-run
models=$work/models
mkdir -p "$models"

if [ -n "$packed" ]; then
  tar -C "$packed" -xJf "$packed/pack.tar.xz" || { echo "run_gpu: cannot unpack $packed" >&2; exit 1; }
  for f in "$packed"/debs/*.deb; do dpkg -x "$f" /; done
  ldconfig
  export LD_LIBRARY_PATH="$PWD/$packed/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  # Tests read tracked test data by the path of the tree they were built in.
  src=$(cat "$packed/source_dir")
  if [ ! -e "$src" ]; then mkdir -p "$(dirname "$src")" && ln -s "$PWD" "$src"; fi
  bin=$PWD/$packed/bin
  llama=$PWD/$packed/llama
  fixtures=${fixtures:-$packed/fixtures}
else
  build=build/gpu
  mapfile -t tests < <(grep -o 'hfd_vk_test(vulkan_[a-z0-9_]*' tests/vulkan/CMakeLists.txt |
    cut -d'(' -f2)
  targets=("${tests[@]}" vulkan_bench hfd hfctl serve_bench)
  { cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHFD_BUILD_BENCH=ON &&
    cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"; } >> "$log" 2>&1 ||
    { echo "run_gpu: build failed, see $log" >&2; exit 1; }
  bin=$work/bin
  mkdir -p "$bin"
  for t in "${targets[@]}"; do
    ln -sf "$PWD/$(find "$build" -type f -name "$t" -perm -u+x | head -1)" "$bin/$t"
  done
  # llama.cpp's tools load every backend module in their folder: a copy with Vulkan's.
  llama=$work/llama
  rm -rf "$llama" && cp -r "${LLAMA:-../shared/reference/llama.cpp}" "$llama" &&
    chmod -R u+w "$llama" && cp "$llama/vulkan/libggml-vulkan.so" "$llama/"
fi
vocab=""
for v in "${fixtures:-}/vocab/ggml-vocab-llama-spm.gguf" ../shared/fixtures/vocab/ggml-vocab-llama-spm.gguf; do
  [ -f "$v" ] && { vocab=$(realpath "$v"); break; }
done
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$nvidia_icd" ]; then export VK_DRIVER_FILES=$nvidia_icd; fi
{ nvidia-smi || true; } > "$out/device.txt" 2>&1

status=0
# step NAME COMMAND...: runs with a time limit, appending its output to the log.
step() {
  local name=$1
  shift
  echo "== $name ($(date -u +%T))" >> "$log"
  local t0=$SECONDS
  timeout "${STEP_TIMEOUT:-120}" "$@" >> "$log" 2>&1
  local rc=$?
  echo "== $name: exit $rc in $((SECONDS - t0)) s" >> "$log"
  [ $rc -eq 0 ] || status=1
}

# Tests take lavapipe unless told otherwise; device 0 is the GPU. Without HFD_FIXTURES the
# ones that need ../shared/fixtures skip, the rest run on the tree's own models.
export HFD_VK_TEST_DEVICE=${HFD_VK_TEST_DEVICE:-0} HFD_VK_VALIDATION=${HFD_VK_VALIDATION:-1}
read -r -a test_bins <<< "${TESTS:-$(cd "$bin" && ls vulkan_*_test | tr '\n' ' ')}"
first=(vulkan_device_test vulkan_kernels_test vulkan_coopmat_test vulkan_conformance_test
       vulkan_fusion_test)
chosen() { case " ${test_bins[*]} " in *" $1 "*) return 0 ;; esac; return 1; }
run_test() { step "$1" env -u HFD_FIXTURES "$bin/$1"; }

# The tests not in `first` (batching, serving, embeddings, ...), with the validation layer.
other_tests() {
  for t in "${test_bins[@]}"; do
    case " ${first[*]} " in *" $t "*) continue ;; esac
    HFD_VK_VALIDATION=1 run_test "$t"
  done
}

# 1. The device, its kernels and the conformance and fusion tests, with cooperative
# matrices (where the start-up self-check passes) and without.
for t in "${first[@]}"; do chosen "$t" && run_test "$t"; done
for t in vulkan_conformance_test vulkan_fusion_test; do
  chosen "$t" && step "$t, portable prefill kernel (no cooperative matrices)" \
    env -u HFD_FIXTURES HFD_VK_COOPMAT=0 "$bin/$t"
done
# The fixture models that came along, against transformers' reference.
filter=""
for f in "${fixtures:-/nonexistent}"/gguf/*.gguf; do
  [ -f "$f" ] && filter="$filter:*gguf_$(basename "$f" | tr -c 'a-zA-Z0-9\n' '_')"
done
if [ -n "$filter" ]; then
  for coopmat in 1 0; do
    step "fixture conformance (cooperative matrices $coopmat)" env HFD_VK_COOPMAT=$coopmat \
      HFD_FIXTURES="$fixtures" "$bin/vulkan_conformance_test" --gtest_filter="${filter#:}"
  done
  step "fixture fusion" env HFD_FIXTURES="$fixtures" "$bin/vulkan_fusion_test" \
    --gtest_filter="${filter#:}"
fi

# Benchmarks without the validation layer.
unset HFD_VK_VALIDATION
bench() {
  step "vulkan_bench $*" "$bin/vulkan_bench" ${VK_DEVICE:+--device "$VK_DEVICE"} \
    --json "$out/bench.jsonl" --dir "$models" ${vocab:+--vocab-from "$vocab"} "$@"
}
# side_by_side ROUNDS FILE...: hfd against llama.cpp's Vulkan build on the same files.
side_by_side() {
  echo "== side by side $* ($(date -u +%T))" >> "$log"
  { echo "### $(basename -a "${@:2}" | tr '\n' ' ')($(date -u +%FT%TZ))"
    VULKAN=1 LLAMA=$llama HFD_BENCH=$bin/vulkan_bench LOG=$out/side_by_side.log \
      timeout "${STEP_TIMEOUT:-120}" sh bench/side_by_side.sh "$@"; } >> "$out/side_by_side.md" 2>> "$log" ||
    status=1
}
model() { echo "$models/$1-$2${vocab:+-with-vocab}.gguf"; }
has() { [ -x "$bin/$1" ]; }
# 2. and 3. need vulkan_bench, llama-bench and the vocabulary (gpu_pack.sh's part 1).
side=0
if has vulkan_bench && [ -x "$llama/llama-bench" ]; then
  if [ -n "$vocab" ] || [ $smoke -eq 1 ]; then
    side=1
  else
    echo "run_gpu: no vocabulary (fixtures/vocab/ggml-vocab-llama-spm.gguf): llama-bench cannot load hfd's synthetic models, so no side by side" | tee -a "$log" >&2
    status=1
  fi
fi
# 4. needs hfd, hfctl and serve_bench (part 2).
serve=0
has hfd && has hfctl && has serve_bench && serve=1
# A model over vulkan_max_memory: `auto` puts it on the CPU, and `ps` says why (in run.log).
memory_cap() {
  local sock=$work/hfd.sock
  rm -f "$sock"
  HFD_VULKAN_MAX_MEMORY=64MiB "$bin/hfd" --socket "$sock" --idle-exit 120 >> "$log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
  step "hfctl load $1 (vulkan_max_memory 64 MiB)" "$bin/hfctl" --socket "$sock" load "$1" \
    --backend auto
  step "hfctl ps (vulkan_max_memory 64 MiB)" "$bin/hfctl" --socket "$sock" --json ps
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}
if [ $smoke -eq 1 ]; then
  # A tiny model of the tree's own (it has a tokenizer) for the side by side; serve_bench
  # needs a shape of the vocabulary's size.
  tiny=$PWD/tests/cpu/testdata/arch17/tiny-granite-Q8_0.gguf shape=tinyllama-1.1b type=Q8_0
  [ $side -eq 1 ] && PROMPT=16 GEN=4 side_by_side 1 "$tiny"
  other_tests
  if [ $serve -eq 1 ]; then
    step serve_bench "$bin/serve_bench" --hfd "$bin/hfd" --backend vulkan --shape $shape \
      --type $type --tokens 4 --reps 1 --dir "$models" ${vocab:+--tokenizer "$vocab"} \
      --json "$out/serve.jsonl"
    memory_cap "$models/$shape-$type-with-tokenizer.gguf"
  fi
else
  if [ $side -eq 1 ]; then
    bench --shape tinyllama-1.1b --type Q4_K_M,Q8_0
    side_by_side 2 "$(model tinyllama-1.1b Q4_K_M)" "$(model tinyllama-1.1b Q8_0)"
    bench --shape llama-2-7b --type Q4_K_M
    side_by_side 2 "$(model llama-2-7b Q4_K_M)"
  fi
  other_tests
  if [ $serve -eq 1 ]; then
    step serve_bench "$bin/serve_bench" --hfd "$bin/hfd" --backend vulkan \
      --shape tinyllama-1.1b --type Q4_K_M --tokens 128 --reps 3 --dir "$models" \
      ${vocab:+--tokenizer "$vocab"} --json "$out/serve.jsonl"
    memory_cap "$models/tinyllama-1.1b-Q4_K_M-with-tokenizer.gguf"
  fi
  if has vulkan_bench; then
    bench --shape tinyllama-1.1b,llama-2-7b --type Q4_K_M --no-fuse
    HFD_VK_COOPMAT=0 bench --shape tinyllama-1.1b,llama-2-7b --type Q4_K_M
    bench --shape tinyllama-1.1b --type F16
  fi
fi
echo "run_gpu: $( [ $status -eq 0 ] && echo all steps passed || echo some steps failed ), see $log"
exit $status
