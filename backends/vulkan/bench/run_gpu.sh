#!/usr/bin/env bash
# Runs the Vulkan backend's checks and benchmarks on a machine with a real GPU (the H100
# of issue 6, NVIDIA's Vulkan driver), in one go, within 10 minutes:
#   backends/vulkan/bench/run_gpu.sh [--packed DIR] [--fixtures DIR] [--out DIR] [--smoke]
# --packed DIR: run the binaries, libraries, .debs and fixtures gpu_pack.sh put in DIR (a
#   machine without hfd's build dependencies; needs root to unpack the .debs into /).
#   Otherwise builds from source in build/gpu, and --fixtures names a copy of
#   ../shared/fixtures (without one the conformance tests are skipped).
# --smoke: one small benchmark instead of the issue's set (to check the run itself, e.g. on
#   lavapipe with HFD_VK_TEST_DEVICE=llvmpipe and --device llvmpipe in HFD_BENCH_DEVICE).
# Results go to --out (default ./gpu-results) as three files, written as the run goes:
# device.txt (nvidia-smi, the Vulkan device), run.log (every test's output) and
# bench.jsonl (vulkan_bench's rows: llama-bench's pp512/tg128 for the issue's shapes, with
# and without op fusion and cooperative matrices, with the measured copy bandwidth; the
# `device` field says what prefill ran on).
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
log="$out/run.log"
: > "$log"

if [ -n "$packed" ]; then
  for f in "$packed"/debs/*.deb; do dpkg -x "$f" /; done
  ldconfig
  export LD_LIBRARY_PATH="$PWD/$packed/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  bin=$packed/bin
  fixtures=${fixtures:-$packed/fixtures}
else
  build=build/gpu
  { cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHFD_BUILD_BENCH=ON &&
    cmake --build "$build" -j "$(nproc)" --target vulkan_device_test vulkan_kernels_test \
      vulkan_coopmat_test vulkan_conformance_test vulkan_fusion_test vulkan_bench; } >> "$log" 2>&1 ||
    { echo "run_gpu: build failed, see $log" >&2; exit 1; }
  bin=$out/bin
  mkdir -p "$bin"
  for t in vulkan_device_test vulkan_kernels_test vulkan_coopmat_test vulkan_conformance_test \
    vulkan_fusion_test vulkan_bench; do
    ln -sf "$PWD/$(find "$build" -type f -name "$t" -perm -u+x | head -1)" "$bin/$t"
  done
fi
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$nvidia_icd" ]; then export VK_DRIVER_FILES=$nvidia_icd; fi
{ nvidia-smi || true; } > "$out/device.txt" 2>&1

status=0
# step NAME COMMAND...: runs with a time limit, appending its output to the log.
step() {
  local name=$1
  shift
  echo "== $name" >> "$log"
  local t0=$SECONDS
  timeout 300 "$@" >> "$log" 2>&1
  local rc=$?
  echo "== $name: exit $rc in $((SECONDS - t0)) s" >> "$log"
  [ $rc -eq 0 ] || status=1
}

# The tests take lavapipe unless told otherwise; device 0 is the GPU.
export HFD_VK_TEST_DEVICE=${HFD_VK_TEST_DEVICE:-0} HFD_VK_VALIDATION=${HFD_VK_VALIDATION:-1}
step device "$bin/vulkan_device_test"
step kernels "$bin/vulkan_kernels_test"
# Cooperative matrices: the self-check and the kernel for every weight type (skipped,
# with the reason, where the device lacks them).
step coopmat "$bin/vulkan_coopmat_test"
if [ -n "$fixtures" ]; then
  # Only the fixture models that came along (a packed run has the GGUF ones).
  filter="VulkanBackendTest.*"
  [ -d "$fixtures/models" ] && filter="$filter:*models_*"
  for f in "$fixtures"/gguf/*.gguf; do
    [ -f "$f" ] && filter="$filter:*gguf_$(basename "$f" | tr -c 'a-zA-Z0-9\n' '_')"
  done
  step conformance env HFD_FIXTURES="$fixtures" "$bin/vulkan_conformance_test" \
    --gtest_filter="$filter"
  step "conformance, portable prefill kernel" env HFD_VK_COOPMAT=0 HFD_FIXTURES="$fixtures" \
    "$bin/vulkan_conformance_test" --gtest_filter="$filter"
  step fusion env HFD_FIXTURES="$fixtures" "$bin/vulkan_fusion_test" \
    --gtest_filter="${filter#VulkanBackendTest.*:}"
fi

# Benchmarks without the validation layer; models are written to /tmp.
unset HFD_VK_VALIDATION
bench_device=${HFD_BENCH_DEVICE:-}
bench() {
  step "bench $*" "$bin/vulkan_bench" ${bench_device:+--device "$bench_device"} \
    --json "$out/bench.jsonl" "$@"
}
if [ $smoke -eq 1 ]; then
  bench --shape qwen2.5-0.5b --type Q8_0 --prompt 16 --decode 8
else
  bench --shape tinyllama-1.1b --type F16,Q8_0,Q4_K_M
  bench --shape llama-2-7b --type Q4_K_M,Q4_0
  bench --shape llama-3-8b --type Q4_K_M
  bench --shape tinyllama-1.1b,llama-2-7b --type Q4_K_M --no-fuse
  HFD_VK_COOPMAT=0 bench --shape tinyllama-1.1b,llama-2-7b --type Q4_K_M
fi
echo "run_gpu: $( [ $status -eq 0 ] && echo all steps passed || echo some steps failed ), see $log"
exit $status
