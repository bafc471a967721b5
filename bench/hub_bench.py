#!/usr/bin/env python3
"""Download throughput of hfd's Hub client against `curl -o` of the same URL, from the
local test Hub server (tests/hub/hub_server.py) over loopback, plus the time of a pull
that is a cache hit (pinned commit, no network).

    bench/hub_bench.py --puller build/release/bench/hub_bench_pull [--size-mb 2048] [--runs 3]

Writes JSON lines (one per measurement) to stdout, then a table on stderr.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "..", "tests", "hub", "hub_server.py")


def write_model(root, size_mb):
    folder = os.path.join(root, "bench", "big", "revisions", "main")
    os.makedirs(folder)
    block = os.urandom(16 << 20)
    with open(os.path.join(folder, "model.safetensors"), "wb") as f:
        for _ in range(size_mb // 16):
            f.write(block)
        f.write(block[: (size_mb % 16) << 20])


def timed(cmd):
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - start, out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--puller", required=True, help="path of the hub_bench_pull binary")
    parser.add_argument("--size-mb", type=int, default=2048)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", default=None, help="where the model and caches go")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="hfd-hub-bench-", dir=args.workdir)
    server = None
    try:
        write_model(os.path.join(work, "root"), args.size_mb)
        server = subprocess.Popen([sys.executable, SERVER, "--root", os.path.join(work, "root")],
                                  stdout=subprocess.PIPE, text=True)
        _, api_port, _ = server.stdout.readline().split()
        endpoint = "http://127.0.0.1:%s" % api_port
        # Let the server hash the file before anything is timed.
        urllib.request.urlopen(endpoint + "/api/models/bench/big/tree/main?recursive=true").read()
        url = endpoint + "/bench/big/resolve/main/model.safetensors"
        size = args.size_mb << 20
        results = {"curl": [], "hfd": []}
        hits = []
        for run in range(args.runs):
            out_file = os.path.join(work, "curl.out")
            seconds, _ = timed(["curl", "-sS", "-L", "-o", out_file, url])
            os.remove(out_file)
            results["curl"].append(seconds)
            cache = os.path.join(work, "cache")
            seconds, out = timed([args.puller, "--endpoint", endpoint, "--cache", cache,
                                  "--model", "bench/big"])
            report = json.loads(out)
            shutil.rmtree(cache)
            results["hfd"].append(report["download_s"])
            hits.append(report["cache_hit_best_ms"])
            for tool in ("curl", "hfd"):
                print(json.dumps({"bench": "hub_download", "tool": tool, "run": run, "bytes": size,
                                  "seconds": round(results[tool][-1], 4),
                                  "mb_per_s": round(size / results[tool][-1] / 1e6, 1)}))
            print(json.dumps({"bench": "hub_cache_hit", "run": run, "best_ms": report["cache_hit_best_ms"],
                              "mean_ms": report["cache_hit_mean_ms"]}))
        best = {tool: min(times) for tool, times in results.items()}
        ratio = best["curl"] / best["hfd"]
        print(json.dumps({"bench": "hub_download_ratio", "hfd_over_curl_throughput": round(ratio, 3),
                          "size_mb": args.size_mb, "runs": args.runs}))
        sys.stderr.write("%-28s %12s %12s\n" % ("measure", "best", "MB/s"))
        for tool in ("curl", "hfd"):
            sys.stderr.write("%-28s %10.3f s %12.1f\n" % ("download %s" % tool, best[tool], size / best[tool] / 1e6))
        sys.stderr.write("%-28s %12.3f\n" % ("throughput hfd / curl", ratio))
        sys.stderr.write("%-28s %10.3f ms\n" % ("pull, cache hit (pinned)", min(hits)))
    finally:
        if server:
            server.terminate()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
