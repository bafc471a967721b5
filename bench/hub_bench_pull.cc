// Times hfd's pull of one model from a Hub endpoint, then the cost of a cache hit (the
// same commit pinned, no network). Used by bench/hub_bench.py; prints one JSON object.
//   hub_bench_pull --endpoint URL --cache DIR --model org/name [--hits N]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "hub/puller.h"

namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hfd::hub;
  HubConfig config;
  std::string model;
  int hits = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--endpoint") config.endpoint = argv[i + 1];
    if (flag == "--cache") config.cache_dir = argv[i + 1];
    if (flag == "--model") model = argv[i + 1];
    if (flag == "--hits") hits = std::atoi(argv[i + 1]);
  }
  auto ref = ParseModelRef(model);
  if (!ref.ok() || config.cache_dir.empty()) {
    std::fprintf(stderr, "usage: %s --endpoint URL --cache DIR --model org/name [--hits N]\n%s\n",
                 argv[0], ref.status().ToString().c_str());
    return 2;
  }
  const Puller puller(config, {});
  const PullOptions options;
  auto start = std::chrono::steady_clock::now();
  auto pulled = puller.Pull(*ref, options, {}, nullptr);
  const double download_s = SecondsSince(start);
  if (!pulled.ok()) {
    std::fprintf(stderr, "%s\n", pulled.status().ToString().c_str());
    return 1;
  }
  ModelRef pinned = *ref;
  pinned.revision = pulled->commit;
  pinned.revision_given = true;
  double best_hit_ms = 1e9;
  double total_hit_ms = 0;
  for (int i = 0; i < hits; ++i) {
    start = std::chrono::steady_clock::now();
    auto hit = puller.Pull(pinned, options, {}, nullptr);
    const double ms = SecondsSince(start) * 1000;
    if (!hit.ok() || !hit->from_cache) {
      std::fprintf(stderr, "cache hit failed: %s\n", hit.status().ToString().c_str());
      return 1;
    }
    best_hit_ms = std::min(best_hit_ms, ms);
    total_hit_ms += ms;
  }
  std::printf(
      "{\"download_s\": %.4f, \"bytes\": %llu, \"cache_hit_best_ms\": %.3f, "
      "\"cache_hit_mean_ms\": %.3f}\n",
      download_s, static_cast<unsigned long long>(pulled->downloaded_bytes), best_hit_ms,
      hits > 0 ? total_hit_ms / hits : 0.0);
  return 0;
}
