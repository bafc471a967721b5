// Command-line flags shared by the serving commands (load, run, chat): how a model is
// loaded and how text is generated, turned into the daemon's params exactly as
// docs/protocol.md names them. A flag that is not given is not sent, so the daemon's
// configured defaults apply.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace hfd::ctl {

struct LoadFlags {
  std::string backend;  // auto | vulkan | cpu; "" = the daemon's default
  std::string device;   // Vulkan device index or part of its name
  std::optional<int64_t> ctx;
  std::string keep_alive;  // as typed: "300", "5m", "0", "-1"
  std::optional<int64_t> max_concurrency;
  std::optional<int64_t> max_queue;
};

struct GenerationFlags {
  std::optional<int64_t> max_tokens;
  std::optional<double> temperature;
  std::optional<int64_t> top_k;
  std::optional<double> top_p;
  std::optional<double> min_p;
  std::optional<double> repeat_penalty;
  std::optional<uint64_t> seed;
  std::vector<std::string> stop;
  bool raw = false;
};

// Adds --backend, --device, --ctx and --keep-alive; with `queue_flags` also
// --max-concurrency and --max-queue (settings of a resident model, for `load`).
void AddLoadFlags(CLI::App& sub, LoadFlags& flags, bool queue_flags);

// Adds --max-tokens, --temperature, --top-k, --top-p, --min-p, --repeat-penalty, --seed,
// --stop (repeatable) and, with `raw_flag`, --raw.
void AddGenerationFlags(CLI::App& sub, GenerationFlags& flags, bool raw_flag);

// Adds the load flags that were given to `params`.
void AddLoadParams(const LoadFlags& flags, nlohmann::json& params);

// Adds the given generation flags to `params` (--raw only when `with_raw`).
void AddGenerationParams(const GenerationFlags& flags, bool with_raw, nlohmann::json& params);

}  // namespace hfd::ctl
