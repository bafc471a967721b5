// hfd's configuration: defaults, then the TOML file, then the environment, then flags.
// Every key is documented in docs/daemon.md.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hfd/status.h"
#include "proto/limits.h"
#include "serve/rights.h"

namespace hfd::daemon {

// Serving: the `[models]` section.
struct ModelsConfig {
  double keep_alive_seconds = 300;        // after the last request; 0: unload at once; < 0: never
  std::uint32_t max_concurrency = 1;      // requests running at once per model
  std::uint32_t max_queue = 8;            // requests waiting per model before `busy`
  std::int64_t memory_budget_bytes = 0;   // resident models + KV caches; 0: automatic
  std::uint32_t default_context = 8192;   // ctx when a load does not give one
  std::vector<std::string> initial_load;  // loaded in the background at start
  std::uint32_t kv_pool_tokens = 0;       // a batched model's KV pool; 0: automatic
  bool prefix_cache = true;               // batched models share cached prompt prefixes
  // Where weights repacked at load from local paths and passed files are kept
  // (DerivedDir); "off": repacked in memory.
  std::string derived_dir;
};

// The HTTP door (docs/http-api.md): the OpenAI- and Ollama-compatible APIs and the chat page.
struct ApiKey {
  std::string key;  // never logged
  serve::Rights level = serve::Rights::kUse;
};

struct HttpConfig {
  // The Unix socket: "" = hfd-http.sock beside the MessagePack socket; "off" = none.
  std::string socket_path;
  std::string listen;                             // TCP "host:port"; "" = no TCP listener
  serve::Rights tcp_level = serve::Rights::kUse;  // TCP callers without configured keys
  std::vector<ApiKey> api_keys;                   // `Authorization: Bearer` keys and their levels
  std::string api_keys_file;                      // more keys, one "LEVEL KEY" a line
  std::vector<std::string> cors_origins;          // [] = CORS off
  std::size_t max_body_bytes = 8u << 20;          // one request body
  std::uint32_t header_timeout_seconds = 10;      // idle connection before a request is complete
  std::uint32_t max_connections = 512;            // HTTP connections in all
  std::uint32_t max_connections_per_level = 128;  // of each level below manage
  bool auto_pull = true;  // a manage caller's request for a model not cached pulls it
};

struct Config {
  std::string config_path;                   // the file read, "" when none
  std::string socket_path;                   // "" = proto::DefaultSocketPath()
  std::optional<unsigned> socket_mode;       // unset: 0600 under $XDG_RUNTIME_DIR, else 0660
  std::uint32_t idle_exit_seconds = 0;       // 0: never exit for idleness
  std::uint32_t worker_threads = 4;          // threads for long-running handlers
  std::size_t history_size = 256;            // spans kept for `history`
  std::string log_level = "info";            // trace, debug, info, warn, error, off
  std::string log_target = "auto";           // auto (journal under systemd), journal, stderr
  proto::Limits limits;                      // per-message input limits
  std::size_t max_output_bytes = 16u << 20;  // per-connection unsent output before disconnect
  // At most max_connections in all, the last sixteenth kept for root and the daemon's own
  // user, and max_connections_per_user from each other user.
  std::uint32_t max_connections = 1024;
  std::uint32_t max_connections_per_user = 64;
  // Policy (docs/daemon.md, "Security model"): these users, members of these groups and
  // (allow_socket_group) of the socket file's group manage; root and the daemon's user
  // always do. Every other peer that can connect gets default_level.
  std::vector<uid_t> allow_uids;
  std::vector<gid_t> allow_gids;
  bool allow_socket_group = true;
  serve::Rights default_level = serve::Rights::kUse;
  std::uint32_t max_pulls_per_user = 4;  // pulls one user may run at once
  std::uint32_t max_loads_per_user = 2;  // model loads one user may run at once
  // Compute backend: auto (Vulkan on a real GPU, else CPU), vulkan or cpu; `device` picks a
  // Vulkan device by index or by a substring of its name ("" = the best one).
  std::string backend = "auto";
  std::string device;
  // Device-local memory hfd may hold on the Vulkan device, every model together; a model
  // that does not fit goes to the CPU under `auto`. 0: 90% of the device's memory.
  std::int64_t vulkan_max_memory_bytes = 0;
  // CPU backend's activations for quantized weights: int8 (fast) or int8x2 (closer to
  // full-precision references, about twice the integer work in matrix products).
  std::string cpu_activations = "int8";
  // Hub token (`hf_token`, alias `token`): takes precedence over HF_TOKEN and the token
  // file. Never logged or returned.
  std::string hf_token;
  ModelsConfig models;
  HttpConfig http;
};

// Values given on the command line; unset ones do not override.
struct ConfigOverrides {
  std::optional<std::string> config_path;
  std::optional<std::string> socket_path;
  std::optional<std::uint32_t> idle_exit_seconds;
  std::optional<std::string> log_level;
  std::optional<std::string> log_target;
  std::optional<std::uint32_t> worker_threads;
  std::optional<std::string> backend;
  std::optional<std::string> device;
  std::optional<std::string> cpu_activations;
};

// Parses TOML text (`origin` names it in errors). Unknown keys are errors, so a typo
// is reported instead of silently ignored.
Status ApplyConfigToml(std::string_view text, std::string_view origin, Config& config);

// Applies HFD_SOCKET, HFD_IDLE_EXIT, HFD_LOG_LEVEL, HFD_LOG_TARGET, HFD_BACKEND, HFD_DEVICE,
// HFD_CPU_ACTIVATIONS, HFD_KEEP_ALIVE, HFD_MEMORY_BUDGET and HFD_DERIVED_DIR from the
// environment.
Status ApplyConfigEnvironment(Config& config);

// The whole chain: defaults; the file from --config, else $HFD_CONFIG, else the default
// path if it exists ($CONFIGURATION_DIRECTORY/hfd.toml under systemd, else
// /etc/hfd/hfd.toml for root, else $XDG_CONFIG_HOME/hfd/hfd.toml);
// the environment; then the flags.
Result<Config> LoadConfig(const ConfigOverrides& overrides);

// The file read when neither --config nor HFD_CONFIG names one.
std::string DefaultConfigPath();

// The folder for derived weights of local sources: models.derived_dir when set ("" for
// "off"), else `derived` in the daemon's cache folder: $CACHE_DIRECTORY under systemd,
// else /var/cache/hfd for root, else $XDG_CACHE_HOME/hfd or ~/.cache/hfd; "" when none
// can be told (no HOME).
std::string DerivedDir(const Config& config);

}  // namespace hfd::daemon
