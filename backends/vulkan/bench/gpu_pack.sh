#!/usr/bin/env bash
# Packs what run_gpu.sh needs on a GPU machine that lacks hfd's build dependencies (the
# device tool's H100/H200 machines: no apt, no internet) into .gpu/ (or --into another
# hidden folder), which .git/info/exclude keeps out of git. A device call carries the
# repo's tracked files and that folder together, at most 64 MiB, and the repo takes about
# 44 of them: so the binaries travel as one solid xz archive (their shared code compresses
# away) and the run is split into parts, one device call each, most important first:
#   --part 1  the device, kernel, cooperative-matrix, conformance, fusion, top-logits and
#             batched-decode tests, vulkan_bench, and llama.cpp's llama-bench with its
#             Vulkan module beside it: issue 20's steps 1 to 3 (about 10 MiB)
#   --part 2  the other Vulkan tests, hfd, hfctl and serve_bench: the daemon ÷ engine step
#             and the memory cap (the daemon and the tokenizer bring ICU, curl and TLS:
#             about 20 MiB, too much beside part 1)
#   --part 3  the conformance and fusion tests with as many GGUF fixture models as fit
# What .gpu/ then holds:
#   pack.tar.xz  bin/       the part's binaries, built here (Release) and stripped
#                lib/       the shared libraries they need beyond glibc, libstdc++, libmvec
#                           and the Vulkan loader
#                llama/     (part 1) llama-bench, its libraries and libggml-vulkan.so
#                fixtures/  transformers' reference and the Llama 2 vocabulary (synthetic
#                           benchmark models get it, so llama-bench loads them)
#                source_dir where this tree was built: tests find tracked test data there,
#                           so run_gpu.sh links it to the tree on the machine
#   debs/        the Vulkan loader and libglvnd (without which NVIDIA's driver shows no
#                device), and the Khronos validation layer where it fits; unpacked there
#                with dpkg -x
#   fixtures/gguf/  (part 3) the fixture models that fit, in the order below
#
#   backends/vulkan/bench/gpu_pack.sh [--part 1|2|3] [--into .gpu] [FIXTURES_DIR]
#                                      (FIXTURES_DIR: default ../shared/fixtures)
# then, with the device tool: carry [".gpu"], command
#   bash backends/vulkan/bench/run_gpu.sh --packed .gpu --out $OUT
# Pack the parts into different folders (--into .gpu2) to make the calls back to back.
set -euo pipefail
cd "$(dirname "$0")/../../.."
part=1 pack=.gpu
while [ $# -gt 0 ]; do
  case "$1" in
    --part) part=$2; shift 2 ;;
    --into) pack=${2%/}; shift 2 ;;
    *) break ;;
  esac
done
fixtures=${1:-../shared/fixtures}
llama_ref=${LLAMA:-../shared/reference/llama.cpp}
case "$pack" in
  .* ) ;;
  *) echo "gpu_pack: --into takes a hidden folder of the repo's root, e.g. .gpu2" >&2; exit 2 ;;
esac
build=${HFD_GPU_PACK_BUILD:-build/gpu-pack}  # an existing Release build dir may be named
limit=$((64 * 1024 * 1024))
part1_tests=(vulkan_device_test vulkan_kernels_test vulkan_coopmat_test vulkan_conformance_test
             vulkan_fusion_test vulkan_top_logits_test vulkan_batched_decode_test)
fixture_models=()
case "$part" in
  1) targets=("${part1_tests[@]}" vulkan_bench) ;;
  2)
    # Every other Vulkan test in tests/vulkan/CMakeLists.txt, so tests added later travel too.
    mapfile -t targets < <(grep -o 'hfd_vk_test(vulkan_[a-z0-9_]*' tests/vulkan/CMakeLists.txt |
      cut -d'(' -f2 | grep -vxF -f <(printf '%s\n' "${part1_tests[@]}"))
    targets+=(hfd hfctl serve_bench) ;;
  3)
    targets=(vulkan_conformance_test vulkan_fusion_test)
    fixture_models=(gguf/tiny-llama2-Q4_K_M.gguf gguf/tiny-qwen2-Q8_0.gguf) ;;
  *) echo "gpu_pack: --part takes 1, 2 or 3" >&2; exit 2 ;;
esac

[ -f "$fixtures/reference/transformers.json" ] ||
  { echo "gpu_pack: no fixtures at $fixtures (pass their directory)" >&2; exit 1; }
[ "$part" != 1 ] || { [ -f "$llama_ref/llama-bench" ] && [ -f "$llama_ref/vulkan/libggml-vulkan.so" ]; } ||
  { echo "gpu_pack: no llama.cpp tools at $llama_ref (set LLAMA)" >&2; exit 1; }
grep -qxF "/$pack/" .git/info/exclude 2>/dev/null || echo "/$pack/" >> .git/info/exclude
rm -rf "$pack"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$pack"/{debs,fixtures/gguf} "$stage"/{bin,lib,llama,fixtures/reference,fixtures/vocab}

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHFD_BUILD_BENCH=ON > /dev/null
cmake --build "$build" --target "${targets[@]}"
for t in "${targets[@]}"; do
  strip -o "$stage/bin/$t" "$(find "$build" -type f -name "$t" -perm -u+x | head -1)"
done
# The C and C++ runtimes stay the machine's own: its GPU driver may need newer ones.
ldd "$stage"/bin/* | awk '/=> \// {print $1, $3}' | sort -u | while read -r name path; do
  case "$name" in
    libc.so* | libm.so* | libmvec.so* | libgcc_s.so* | libstdc++.so* | libvulkan.so* | ld-linux*) ;;
    *) cp -L "$path" "$stage/lib/$name" ;;
  esac
done
if [ "$part" = 1 ]; then
  cp "$llama_ref"/llama-bench "$llama_ref"/lib*.so "$llama_ref"/LICENSE "$stage/llama/"
  cp "$llama_ref"/vulkan/libggml-vulkan.so "$stage/llama/"
fi
cp "$fixtures/reference/transformers.json" "$stage/fixtures/reference/"
cp "$fixtures/vocab/ggml-vocab-llama-spm.gguf" "$stage/fixtures/vocab/"
pwd -P > "$stage/source_dir"
tar -C "$stage" -cf - . | xz -9 -T1 > "$pack/pack.tar.xz"

(cd "$pack/debs" && apt-get download libvulkan1 libglvnd0 libgl1 libglx0 libegl1 libgles2 \
  libopengl0) ||
  { echo "gpu_pack: apt-get download failed (try apt-get update first)" >&2; exit 1; }

# What travels: tracked and untracked-not-ignored files, and .gpu/.
travelling() {
  { git ls-files -z --cached --others --exclude-standard; find "$pack" -type f -print0; } |
    xargs -0 stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}'
}
# add_if_fits FILE DIR: copies FILE into DIR while everything travelling stays under the limit
# (less a MiB of margin), else notes it as left out.
left_out=()
add_if_fits() {
  if [ $(($(travelling) + $(stat -c %s "$1"))) -lt $((limit - 1024 * 1024)) ]; then
    cp "$1" "$2/"
  else
    left_out+=("$(basename "$1")")
  fi
}
(cd "$stage" && apt-get download vulkan-validationlayers > /dev/null) ||
  { echo "gpu_pack: apt-get download failed (try apt-get update first)" >&2; exit 1; }
validation=("$stage"/vulkan-validationlayers_*.deb)
# Part 3 is for its fixture models; the others would rather have the validation layer.
[ "$part" = 3 ] || add_if_fits "${validation[0]}" "$pack/debs"
for m in "${fixture_models[@]}"; do add_if_fits "$fixtures/$m" "$pack/fixtures/gguf"; done
[ "$part" != 3 ] || add_if_fits "${validation[0]}" "$pack/debs"
total=$(travelling)
echo "gpu_pack: part $part in $pack, $(du -sh "$pack" | cut -f1); with the repo $((total / 1048576)) MiB of 64"
[ ${#left_out[@]} -eq 0 ] || echo "gpu_pack: left out (no room): ${left_out[*]}"
[ "$total" -le "$limit" ] ||
  { echo "gpu_pack: over the device call's 64 MiB: carry less" >&2; exit 1; }
