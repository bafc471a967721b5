#!/usr/bin/env bash
# Packs what run_gpu.sh needs on a GPU machine that lacks hfd's build dependencies (the
# H100 machine of issue 6: no apt, no internet, at most 64 MiB carried per call) into
# .gpu/, which .git/info/exclude keeps out of git:
#   bin/      the Vulkan tests and vulkan_bench, built here (Release) and stripped
#   lib/      the shared libraries they need beyond glibc, libstdc++ and the Vulkan loader
#   debs/     the Vulkan loader, libglvnd (without which NVIDIA's driver shows no device)
#             and the Khronos validation layer, unpacked there with dpkg -x
#   fixtures/ the GGUF fixture models and transformers' reference (the safetensors
#             models do not fit beside them)
#
#   backends/vulkan/bench/gpu_pack.sh [FIXTURES_DIR]     (default ../shared/fixtures)
# then, with the device tool: carry [".gpu"], command
#   bash backends/vulkan/bench/run_gpu.sh --packed .gpu --out $OUT
set -euo pipefail
cd "$(dirname "$0")/../../.."
fixtures=${1:-../shared/fixtures}
pack=.gpu
build=${HFD_GPU_PACK_BUILD:-build/gpu-pack}  # an existing Release build dir may be named
targets=(vulkan_device_test vulkan_kernels_test vulkan_coopmat_test vulkan_conformance_test
         vulkan_fusion_test vulkan_bench)

[ -f "$fixtures/reference/transformers.json" ] ||
  { echo "gpu_pack: no fixtures at $fixtures (pass their directory)" >&2; exit 1; }
grep -qxF "/$pack/" .git/info/exclude 2>/dev/null || echo "/$pack/" >> .git/info/exclude
rm -rf "$pack"
mkdir -p "$pack"/{bin,lib,debs,fixtures/gguf,fixtures/reference}

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHFD_BUILD_BENCH=ON > /dev/null
cmake --build "$build" --target "${targets[@]}"
for t in "${targets[@]}"; do
  strip -o "$pack/bin/$t" "$(find "$build" -type f -name "$t" -perm -u+x | head -1)"
done
# The C and C++ runtimes stay the machine's own: its GPU driver may need newer ones.
ldd "$pack"/bin/* | awk '/=> \// {print $1, $3}' | sort -u | while read -r name path; do
  case "$name" in
    libc.so* | libm.so* | libgcc_s.so* | libstdc++.so* | libvulkan.so* | ld-linux*) ;;
    *) cp -L "$path" "$pack/lib/$name" ;;
  esac
done
(cd "$pack/debs" && apt-get download libvulkan1 libglvnd0 libgl1 libglx0 libegl1 libgles2 \
  libopengl0 vulkan-validationlayers) ||
  { echo "gpu_pack: apt-get download failed (try apt-get update first)" >&2; exit 1; }
cp "$fixtures"/gguf/tiny-llama2-Q4_K_M.gguf "$fixtures"/gguf/tiny-qwen2-Q8_0.gguf \
  "$pack/fixtures/gguf/"
cp "$fixtures/reference/transformers.json" "$pack/fixtures/reference/"
du -sh "$pack"
