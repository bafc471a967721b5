// hfd_bandwidth: prints the machine's memory read bandwidth as one JSON line per thread
// count. Usage: hfd_bandwidth [MiB=1024] [runs=5]
#include <cstdio>
#include <cstdlib>

#include "bench/bandwidth/memory_bandwidth.h"

int main(int argc, char** argv) {
  const long mib = argc > 1 ? std::atol(argv[1]) : 1024;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  if (mib <= 0 || runs <= 0) {
    std::fprintf(stderr, "usage: hfd_bandwidth [MiB > 0] [runs > 0]\n");
    return 2;
  }
  hfd::cpu::ThreadPool all(0);
  for (int threads = 1; threads <= all.size(); ++threads) {
    hfd::cpu::ThreadPool pool(threads);
    const hfd::bench::BandwidthResult r =
        hfd::bench::MeasureReadBandwidth(pool, static_cast<int64_t>(mib) << 20, runs);
    std::printf(
        "{\"bench\":\"memory_read_bandwidth\",\"threads\":%d,\"bytes\":%lld,\"runs\":%d,"
        "\"best_gbps\":%.2f,\"median_gbps\":%.2f}\n",
        r.threads, static_cast<long long>(r.bytes), r.runs, r.best_gbps, r.median_gbps);
  }
  return 0;
}
