#!/bin/sh
# hfd's engine_bench and llama.cpp's llama-bench on the same GGUF files, alternating one
# repetition of each, so that load from other processes on a shared machine falls on both
# sides alike. Prints a markdown table of each side's median prefill and decode tokens/s and
# hfd / llama.cpp.
#
#   bench/side_by_side.sh ROUNDS FILE.gguf...
#
# Environment: BUILD (default build/release), LLAMA (default ../shared/reference/llama.cpp),
# THREADS (default 2), LOG (a file that keeps each run's JSON line, prefixed with its side
# and file name; default a temporary one); HFD_CPU_ISA reaches hfd as usual.
# VULKAN=1 compares the GPUs instead: hfd's vulkan_bench against llama-bench -ngl 99, pp512
# and tg128 as llama.cpp publishes them (LLAMA must then hold libggml-vulkan.so beside its
# tools); VK_DEVICE names hfd's device (e.g. llvmpipe), HFD_BENCH another vulkan_bench or
# engine_bench binary (a packed one).
# PROMPT and GEN set the test sizes (default 128 and 64, or 512 and 128 with VULKAN=1).
set -eu
rounds=$1
shift
build=${BUILD:-build/release}
llama=${LLAMA:-../shared/reference/llama.cpp}
threads=${THREADS:-2}
vulkan=${VULKAN:-0}
if [ "$vulkan" = 1 ]; then
  prompt=${PROMPT:-512} gen=${GEN:-128}
  hfd_bench=${HFD_BENCH:-$build/backends/vulkan/vulkan_bench}
else
  prompt=${PROMPT:-128} gen=${GEN:-64}
  hfd_bench=${HFD_BENCH:-$build/bench/engine_bench}
fi
if [ -n "${LOG:-}" ]; then
  log=$LOG
else
  log=$(mktemp)
  trap 'rm -f "$log"' EXIT
fi

for file in "$@"; do
  name=$(basename "$file" .gguf)
  for _ in $(seq "$rounds"); do
    if [ "$vulkan" = 1 ]; then
      "$hfd_bench" ${VK_DEVICE:+--device "$VK_DEVICE"} --file "$file" --prompt "$prompt" \
        --decode "$gen" --json - 2>/dev/null | grep '^{' | sed "s/^/hfd $name /" >>"$log"
      "$llama/llama-bench" -m "$file" -ngl 99 -p "$prompt" -n "$gen" -r 1 -o jsonl 2>/dev/null |
        sed "s/^/llama $name /" >>"$log"
    else
      "$hfd_bench" --file "$file" --threads "$threads" --reps 1 --tests "pp$prompt,tg$gen" \
        --json - 2>/dev/null | grep '^{' | sed "s/^/hfd $name /" >>"$log"
      "$llama/llama-bench" -m "$file" -t "$threads" -p "$prompt" -n "$gen" -r 1 -o jsonl \
        2>/dev/null | sed "s/^/llama $name /" >>"$log"
    fi
  done
done

/usr/bin/python3 - "$log" "pp$prompt" "tg$gen" <<'PY'
import json, statistics, sys
log, pp, tg = sys.argv[1:4]
runs = {}  # (file, side, test) -> tokens/s of each round
for line in open(log):
    side, name, rest = line.split(" ", 2)
    r = json.loads(rest)
    if side == "hfd":
        tests = {pp: r[pp], tg: r[tg]}
    else:
        tests = {pp if r["n_prompt"] else tg: r["avg_ts"]}
    for test, ts in tests.items():
        runs.setdefault((name, side, test), []).append(ts)
print(f"| file | {pp} hfd | {pp} llama.cpp | ratio | {tg} hfd | {tg} llama.cpp | ratio |")
print("| --- | --- | --- | --- | --- | --- | --- |")
def span(v):
    return f"{statistics.median(v):.1f} ({min(v):.1f}–{max(v):.1f})"
for name in dict.fromkeys(k[0] for k in runs):
    cells = [name]
    for test in (pp, tg):
        h, l = runs.get((name, "hfd", test)), runs.get((name, "llama", test))
        if not h or not l:
            cells += [span(h) if h else "failed", span(l) if l else "failed", "–"]
            continue
        cells += [span(h), span(l), f"{statistics.median(h) / statistics.median(l):.2f}"]
    print("| " + " | ".join(cells) + " |")
PY
