#!/usr/bin/env bash
# Installs the Debian 12 packages hfd needs to build, test and run. Safe to run again.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git python3 curl ca-certificates
  libsystemd-dev systemd libuv1-dev libcurl4-openssl-dev libssl-dev libmsgpack-cxx-dev
  libspdlog-dev libfmt-dev nlohmann-json3-dev libtomlplusplus-dev libcli11-dev libmicrohttpd-dev
  libedit-dev libpcre2-dev libutf8proc-dev libicu-dev
  libvulkan-dev glslang-tools mesa-vulkan-drivers vulkan-validationlayers vulkan-tools
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev clang-format clang-tidy
  # tokenizer_bench's Chinese corpus (Tang and Song poems, public domain).
  fortunes-zh
  # The chat page's test drives headless Chromium.
  chromium chromium-driver python3-selenium
  # Scripts that regenerate recorded references (tests/**/make_reference.py, numpy forward
  # passes of families llama.cpp lacks); the tests read what they recorded.
  sentencepiece python3-sentencepiece python3-numpy python3-regex
)

# The HTTP API tests run the real JavaScript clients. A node/npm already installed (such
# as NodeSource's nodejs, whose package conflicts with Debian's npm) is used as it is;
# otherwise Debian's.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
  sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
