#!/usr/bin/env bash
# Runs the Vulkan backend's checks and benchmarks on a machine with a real GPU (e.g. the
# H100 of issue 6, NVIDIA's Vulkan driver):
#   backends/vulkan/bench/run_gpu.sh [FIXTURES_DIR] [OUT_DIR]
# FIXTURES_DIR: a copy of ../shared/fixtures (only models/, gguf/ and reference/ are read);
# without it the conformance test is skipped. Results go to OUT_DIR (default ./gpu-results):
# test logs, vulkaninfo/nvidia-smi, and bench.jsonl with the decode/prefill figures of
# llama-bench's pp512/tg128 for the issue's shapes. Synthetic models are written to /tmp.
set -euo pipefail
cd "$(dirname "$0")/../../.."
fixtures=${1:-}
out=${2:-gpu-results}
mkdir -p "$out"
build=build/gpu

{ nvidia-smi || true; vulkaninfo --summary || true; } > "$out/device.txt" 2>&1
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHFD_BUILD_BENCH=ON > "$out/cmake.log"
cmake --build "$build" -j "$(nproc)" --target vulkan_device_test vulkan_kernels_test \
  vulkan_conformance_test vulkan_bench > "$out/build.log"

# The tests pick lavapipe by default; HFD_VK_TEST_DEVICE=0 runs them on device 0.
export HFD_VK_TEST_DEVICE=${HFD_VK_TEST_DEVICE:-0} HFD_VK_VALIDATION=${HFD_VK_VALIDATION:-1}
status=0
for t in vulkan_device_test vulkan_kernels_test; do
  "$build/tests/vulkan/$t" > "$out/$t.log" 2>&1 || status=1
done
if [ -n "$fixtures" ]; then
  HFD_FIXTURES=$fixtures "$build/tests/vulkan/vulkan_conformance_test" \
    > "$out/vulkan_conformance_test.log" 2>&1 || status=1
fi

# Benchmarks without the validation layer.
unset HFD_VK_VALIDATION
"$build/backends/vulkan/vulkan_bench" --shape tinyllama-1.1b --type F16,Q8_0,Q4_K_M \
  --json "$out/bench.jsonl" | tee "$out/bench.txt" || status=1
"$build/backends/vulkan/vulkan_bench" --shape llama-2-7b --type Q4_K_M,Q4_0 \
  --json "$out/bench.jsonl" | tee -a "$out/bench.txt" || status=1
"$build/backends/vulkan/vulkan_bench" --shape llama-3-8b --type Q4_K_M \
  --json "$out/bench.jsonl" | tee -a "$out/bench.txt" || status=1
exit $status
