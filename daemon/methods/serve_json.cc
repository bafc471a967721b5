#include "daemon/methods/serve_json.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>

namespace hfd::daemon {
namespace {

std::string Rfc3339Seconds(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", utc);
}

}  // namespace

nlohmann::json ResidentJson(const serve::ResidentInfo& i) {
  return {{"model", i.name},
          {"path", i.path.string()},
          {"revision", i.revision},
          {"commit", i.commit},
          {"file", i.file},
          {"quant", i.quant},
          {"architecture", i.architecture},
          {"expert_count", i.expert_count},
          {"expert_used_count", i.expert_used_count},
          {"resident_weights_bytes", i.resident_weights_bytes},
          {"backend", i.backend},
          {"device", i.device},
          {"backend_reason", i.backend_reason},
          {"ctx", i.ctx},
          {"max_concurrency", i.max_concurrency},
          {"max_queue", i.max_queue},
          {"running", i.running},
          {"queued", i.queued},
          {"memory_bytes", i.memory_bytes},
          {"weights_bytes", i.weights_bytes},
          {"kv_cache_bytes", i.kv_cache_bytes},
          {"keep_alive_seconds", i.keep_alive_seconds},
          {"idle_seconds", i.idle_seconds},
          {"expires_in_seconds",
           i.expires_in_seconds ? nlohmann::json(*i.expires_in_seconds) : nlohmann::json()},
          {"requests_served", i.requests_served},
          {"loaded_at", Rfc3339Seconds(i.loaded_at)},
          {"load_seconds", i.load_seconds},
          {"kv_blocks_used", i.kv_blocks_used},
          {"kv_blocks_cached", i.kv_blocks_cached},
          {"kv_blocks_total", i.kv_blocks_total},
          {"prefix_lookups", i.prefix_lookups},
          {"prefix_hits", i.prefix_hits},
          {"prefix_tokens_saved", i.prefix_tokens_saved},
          {"prefix_cache", i.prefix_cache},
          {"kv_pool_reason", i.kv_pool_reason}};
}

}  // namespace hfd::daemon
