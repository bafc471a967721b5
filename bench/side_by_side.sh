#!/bin/sh
# hfd's engine_bench and llama.cpp's llama-bench on the same GGUF files, alternating one
# repetition of each, so that load from other processes on a shared machine falls on both
# sides alike. Prints a markdown table of each side's median pp128 and tg64 tokens/s and
# hfd / llama.cpp.
#
#   bench/side_by_side.sh ROUNDS FILE.gguf...
#
# Environment: BUILD (default build/release), LLAMA (default ../shared/reference/llama.cpp),
# THREADS (default 2), LOG (a file that keeps each run's JSON line, prefixed with its side
# and file name; default a temporary one); HFD_CPU_ISA reaches hfd as usual.
set -eu
rounds=$1
shift
build=${BUILD:-build/release}
llama=${LLAMA:-../shared/reference/llama.cpp}
threads=${THREADS:-2}
if [ -n "${LOG:-}" ]; then
  log=$LOG
else
  log=$(mktemp)
  trap 'rm -f "$log"' EXIT
fi

for file in "$@"; do
  name=$(basename "$file" .gguf)
  for _ in $(seq "$rounds"); do
    "$build/bench/engine_bench" --file "$file" --threads "$threads" --reps 1 --tests pp128,tg64 \
      --json - 2>/dev/null | grep '^{' | sed "s/^/hfd $name /" >>"$log"
    "$llama/llama-bench" -m "$file" -t "$threads" -p 128 -n 64 -r 1 -o jsonl 2>/dev/null |
      sed "s/^/llama $name /" >>"$log"
  done
done

/usr/bin/python3 - "$log" <<'PY'
import json, statistics, sys
runs = {}  # (file, side, test) -> tokens/s of each round
for line in open(sys.argv[1]):
    side, name, rest = line.split(" ", 2)
    r = json.loads(rest)
    if side == "hfd":
        tests = {"pp128": r["pp128"], "tg64": r["tg64"]}
    else:
        tests = {"pp128" if r["n_prompt"] else "tg64": r["avg_ts"]}
    for test, ts in tests.items():
        runs.setdefault((name, side, test), []).append(ts)
print("| file | pp128 hfd | pp128 llama.cpp | ratio | tg64 hfd | tg64 llama.cpp | ratio |")
print("| --- | --- | --- | --- | --- | --- | --- |")
def span(v):
    return f"{statistics.median(v):.1f} ({min(v):.1f}–{max(v):.1f})"
for name in dict.fromkeys(k[0] for k in runs):
    cells = [name]
    for test in ("pp128", "tg64"):
        h, l = runs[(name, "hfd", test)], runs[(name, "llama", test)]
        cells += [span(h), span(l), f"{statistics.median(h) / statistics.median(l):.2f}"]
    print("| " + " | ".join(cells) + " |")
PY
