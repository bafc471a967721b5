#include "ctl/commands/resident_format.h"

#include <fmt/format.h>

#include "ctl/commands/pull_progress.h"
#include "ctl/output.h"

namespace hfd::ctl {
namespace {

double Number(const nlohmann::json& entry, const char* key) {
  const auto it = entry.find(key);
  return it != entry.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::string Expires(const nlohmann::json& entry) {
  if (Number(entry, "keep_alive_seconds") < 0) return "never";
  const auto it = entry.find("expires_in_seconds");
  if (it == entry.end() || !it->is_number()) return "-";  // a request is running
  return "in " + HumanDuration(it->get<double>());
}

// A shared batch's pool ("-" without continuous batching).
std::string KvBlocks(const nlohmann::json& e) {
  if (Number(e, "kv_blocks_total") <= 0) return "-";
  return fmt::format("{}/{}/{}", static_cast<long long>(Number(e, "kv_blocks_used")),
                     static_cast<long long>(Number(e, "kv_blocks_cached")),
                     static_cast<long long>(Number(e, "kv_blocks_total")));
}

std::string PrefixHits(const nlohmann::json& e) {
  if (Number(e, "kv_blocks_total") <= 0) return "-";
  if (!e.value("prefix_cache", true)) return "off";
  return fmt::format("{}/{} ({} tokens saved)", static_cast<long long>(Number(e, "prefix_hits")),
                     static_cast<long long>(Number(e, "prefix_lookups")),
                     static_cast<long long>(Number(e, "prefix_tokens_saved")));
}

}  // namespace

std::string KeepAliveText(double seconds) {
  if (seconds < 0) return "stays loaded until `hfctl unload`";
  if (seconds == 0) return "unloads after each request";
  return "unloads after " + HumanDuration(seconds) + " idle";
}

std::vector<std::string> ResidentHeader() {
  return {"MODEL",
          "QUANT",
          "EXPERTS",
          "BACKEND/DEVICE",
          "MEMORY",
          "RESIDENT",
          "CTX",
          "RUNNING/QUEUED",
          "IDLE",
          "EXPIRES",
          "REQUESTS",
          "FILE",
          "KV BLOCKS USED/CACHED/ALL",
          "PREFIX HITS/LOOKUPS"};
}

std::vector<std::string> ResidentRow(const nlohmann::json& e) {
  const auto running = static_cast<long long>(Number(e, "running"));
  const std::string quant = e.value("quant", "");
  const std::string file = e.value("file", "");
  const auto experts = static_cast<long long>(Number(e, "expert_count"));
  return {e.value("model", ""),
          quant.empty() ? "-" : quant,
          experts > 0 ? fmt::format("{}/{}", static_cast<long long>(Number(e, "expert_used_count")),
                                    experts)
                      : "-",
          e.value("backend", "") + "/" + e.value("device", ""),
          HumanBytes(Number(e, "memory_bytes")),
          HumanBytes(Number(e, "resident_weights_bytes")),
          fmt::format("{}", static_cast<long long>(Number(e, "ctx"))),
          fmt::format("{}/{}", running, static_cast<long long>(Number(e, "queued"))),
          running > 0 ? "busy" : HumanDuration(Number(e, "idle_seconds")),
          Expires(e),
          fmt::format("{}", static_cast<long long>(Number(e, "requests_served"))),
          file.empty() ? "-" : file,
          KvBlocks(e),
          PrefixHits(e)};
}

std::vector<std::string> LoadedSummary(const nlohmann::json& e) {
  const std::string file = e.value("file", "");
  const auto experts = static_cast<long long>(Number(e, "expert_count"));
  return {
      fmt::format("loaded {} in {:.2f} s on {}: {}{}", e.value("model", ""),
                  Number(e, "load_seconds"), e.value("backend", ""), e.value("device", ""),
                  experts > 0 ? fmt::format(" · {} experts, {} per token", experts,
                                            static_cast<long long>(Number(e, "expert_used_count")))
                              : ""),
      fmt::format("  {}context {} tokens · memory {} (weights {}, KV cache {}) · {}",
                  file.empty() ? "" : "file " + file + " · ",
                  static_cast<long long>(Number(e, "ctx")), HumanBytes(Number(e, "memory_bytes")),
                  HumanBytes(Number(e, "weights_bytes")), HumanBytes(Number(e, "kv_cache_bytes")),
                  KeepAliveText(Number(e, "keep_alive_seconds")))};
}

}  // namespace hfd::ctl
