#include "daemon/config.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "backends/select/backend_select.h"
#include "common/units.h"

namespace hfd::daemon {
namespace {

// One TOML table being read: typed getters that name the key in their errors, and a
// check that no key was left unread.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string prefix, std::string_view origin)
      : table_(table), prefix_(std::move(prefix)), origin_(origin) {}

  template <typename T>
  Status Integer(std::string_view key, T& out, std::int64_t min, std::int64_t max) {
    const toml::node* node = Take(key);
    if (node == nullptr) return Status::Ok();
    const auto value = node->value<std::int64_t>();
    if (!node->is_integer() || !value || *value < min || *value > max) {
      return Error(key, "an integer from " + std::to_string(min) + " to " + std::to_string(max));
    }
    out = static_cast<T>(*value);
    return Status::Ok();
  }

  Status String(std::string_view key, std::string& out) {
    const toml::node* node = Take(key);
    if (node == nullptr) return Status::Ok();
    if (!node->is_string()) return Error(key, "a string");
    out = *node->value<std::string>();
    return Status::Ok();
  }

  Status Bool(std::string_view key, bool& out) {
    const toml::node* node = Take(key);
    if (node == nullptr) return Status::Ok();
    if (!node->is_boolean()) return Error(key, "true or false");
    out = *node->value<bool>();
    return Status::Ok();
  }

  // An array of user (or group) names or numeric ids, resolved with `resolve`.
  template <typename Id, typename Resolve>
  Status Ids(std::string_view key, std::vector<Id>& out, Resolve resolve) {
    const toml::node* node = Take(key);
    if (node == nullptr) return Status::Ok();
    const toml::array* array = node->as_array();
    if (array == nullptr) return Error(key, "an array of names or numeric ids");
    for (const toml::node& item : *array) {
      if (auto id = item.value<std::int64_t>(); item.is_integer() && id && *id >= 0) {
        out.push_back(static_cast<Id>(*id));
      } else if (auto name = item.value<std::string>(); item.is_string() && name) {
        HFD_ASSIGN_OR_RETURN(Id resolved, resolve(*name));
        out.push_back(resolved);
      } else {
        return Error(key, "an array of names or numeric ids");
      }
    }
    return Status::Ok();
  }

  Status Strings(std::string_view key, std::vector<std::string>& out) {
    const toml::node* node = Take(key);
    if (node == nullptr) return Status::Ok();
    const toml::array* array = node->as_array();
    if (array == nullptr) return Error(key, "an array of strings");
    for (const toml::node& item : *array) {
      if (!item.is_string()) return Error(key, "an array of strings");
      out.push_back(*item.value<std::string>());
    }
    return Status::Ok();
  }

  // A number, or a string parsed by `parse` (durations like "5m", sizes like "8GiB").
  template <typename T, typename Parse>
  Status NumberOrText(std::string_view key, T& out, Parse parse, std::string_view expected) {
    const toml::node* node = Take(key);
    if (node == nullptr) return Status::Ok();
    if (auto number = node->value<double>();
        (node->is_integer() || node->is_floating_point()) && number) {
      out = static_cast<T>(*number);
      return Status::Ok();
    }
    if (!node->is_string()) return Error(key, std::string(expected));
    HFD_ASSIGN_OR_RETURN(out, parse(*node->value<std::string>(), prefix_ + std::string(key)));
    return Status::Ok();
  }

  // An array of tables ({key = "...", level = "use"}), or null when the key is absent.
  Result<const toml::array*> TableArray(std::string_view key) {
    const toml::node* node = Take(key);
    if (node == nullptr) return static_cast<const toml::array*>(nullptr);
    const toml::array* array = node->as_array();
    if (array == nullptr || !array->is_array_of_tables()) {
      return Error(key, "an array of tables");
    }
    return array;
  }

  const toml::table* Table(std::string_view key) {
    const toml::node* node = Take(key);
    return node == nullptr ? nullptr : node->as_table();
  }

  Status RejectUnread() const {
    for (const auto& [key, node] : table_) {
      if (std::find(read_.begin(), read_.end(), key.str()) == read_.end()) {
        return InvalidArgument(std::string(origin_) + ": unknown key '" + prefix_ +
                               std::string(key.str()) + "' (see docs/daemon.md)");
      }
    }
    return Status::Ok();
  }

 private:
  const toml::node* Take(std::string_view key) {
    read_.emplace_back(key);
    return table_.get(key);
  }
  Status Error(std::string_view key, const std::string& expected) const {
    return InvalidArgument(std::string(origin_) + ": '" + prefix_ + std::string(key) +
                           "' must be " + expected);
  }

  const toml::table& table_;
  std::string prefix_;
  std::string_view origin_;
  std::vector<std::string> read_;
};

Result<uid_t> ResolveUser(const std::string& name) {
  const passwd* pw = ::getpwnam(name.c_str());
  if (pw == nullptr) return InvalidArgument("policy: no such user '" + name + "'");
  return pw->pw_uid;
}

Result<gid_t> ResolveGroup(const std::string& name) {
  const group* gr = ::getgrnam(name.c_str());
  if (gr == nullptr) return InvalidArgument("policy: no such group '" + name + "'");
  return gr->gr_gid;
}

Result<unsigned> ParseMode(const std::string& text, std::string_view origin) {
  char* end = nullptr;
  const unsigned long mode = std::strtoul(text.c_str(), &end, 8);
  if (text.empty() || *end != '\0' || mode > 0777) {
    return InvalidArgument(std::string(origin) +
                           ": socket_mode must be an octal string like \"0660\"");
  }
  return static_cast<unsigned>(mode);
}

Status ApplyLog(TableReader& reader, Config& config) {
  HFD_RETURN_IF_ERROR(reader.String("level", config.log_level));
  HFD_RETURN_IF_ERROR(reader.String("target", config.log_target));
  return reader.RejectUnread();
}

Status ApplyLimits(TableReader& reader, Config& config) {
  constexpr std::int64_t kMaxBytes = std::int64_t{1} << 32;
  proto::Limits& l = config.limits;
  HFD_RETURN_IF_ERROR(reader.Integer("max_message_bytes", l.max_message_bytes, 64, kMaxBytes));
  HFD_RETURN_IF_ERROR(reader.Integer("max_depth", l.max_depth, 2, 1024));
  HFD_RETURN_IF_ERROR(reader.Integer("max_string_bytes", l.max_string_bytes, 1, kMaxBytes));
  HFD_RETURN_IF_ERROR(reader.Integer("max_binary_bytes", l.max_binary_bytes, 0, kMaxBytes));
  HFD_RETURN_IF_ERROR(reader.Integer("max_array_items", l.max_array_items, 1, kMaxBytes));
  HFD_RETURN_IF_ERROR(reader.Integer("max_map_entries", l.max_map_entries, 1, kMaxBytes));
  HFD_RETURN_IF_ERROR(reader.Integer("max_output_bytes", config.max_output_bytes, 4096, kMaxBytes));
  HFD_RETURN_IF_ERROR(reader.Integer("max_connections", config.max_connections, 1, 1 << 20));
  HFD_RETURN_IF_ERROR(
      reader.Integer("max_connections_per_user", config.max_connections_per_user, 1, 1 << 20));
  return reader.RejectUnread();
}

Status ReadLevel(TableReader& reader, std::string_view key, serve::Rights& out) {
  std::string level(serve::RightsName(out));
  HFD_RETURN_IF_ERROR(reader.String(key, level));
  Result<serve::Rights> rights = serve::ParseRights(level);
  if (!rights.ok()) return rights.status().WithContext(std::string(key));
  out = *rights;
  return Status::Ok();
}

Status ApplyPolicy(TableReader& reader, Config& config) {
  HFD_RETURN_IF_ERROR(reader.Ids("allow_users", config.allow_uids, ResolveUser));
  HFD_RETURN_IF_ERROR(reader.Ids("allow_groups", config.allow_gids, ResolveGroup));
  HFD_RETURN_IF_ERROR(reader.Bool("allow_socket_group", config.allow_socket_group));
  std::string level(serve::RightsName(config.default_level));
  HFD_RETURN_IF_ERROR(reader.String("default_level", level));
  Result<serve::Rights> rights = serve::ParseRights(level);
  if (!rights.ok()) return rights.status().WithContext("policy.default_level");
  config.default_level = *rights;
  HFD_RETURN_IF_ERROR(reader.Integer("max_pulls_per_user", config.max_pulls_per_user, 1, 1024));
  HFD_RETURN_IF_ERROR(reader.Integer("max_loads_per_user", config.max_loads_per_user, 1, 1024));
  HFD_RETURN_IF_ERROR(ReadLevel(reader, "tcp_level", config.http.tcp_level));
  return reader.RejectUnread();
}

Status ApplyApiKeys(TableReader& reader, std::string_view origin, Config& config) {
  HFD_ASSIGN_OR_RETURN(const toml::array* keys, reader.TableArray("api_keys"));
  if (keys == nullptr) return Status::Ok();
  for (const toml::node& node : *keys) {
    TableReader entry(*node.as_table(), "http.api_keys.", origin);
    ApiKey key;
    HFD_RETURN_IF_ERROR(entry.String("key", key.key));
    if (key.key.empty()) {
      return InvalidArgument(std::string(origin) + ": every http.api_keys entry needs a key");
    }
    HFD_RETURN_IF_ERROR(ReadLevel(entry, "level", key.level));
    HFD_RETURN_IF_ERROR(entry.RejectUnread());
    config.http.api_keys.push_back(std::move(key));
  }
  return Status::Ok();
}

Status ApplyHttp(TableReader& reader, std::string_view origin, Config& config) {
  HttpConfig& h = config.http;
  HFD_RETURN_IF_ERROR(ApplyApiKeys(reader, origin, config));
  HFD_RETURN_IF_ERROR(reader.String("api_keys_file", h.api_keys_file));
  HFD_RETURN_IF_ERROR(reader.Strings("cors_origins", h.cors_origins));
  HFD_RETURN_IF_ERROR(reader.Integer("max_body_bytes", h.max_body_bytes, 1024, 1 << 30));
  HFD_RETURN_IF_ERROR(reader.Integer("header_timeout", h.header_timeout_seconds, 1, 3600));
  HFD_RETURN_IF_ERROR(reader.Integer("max_connections", h.max_connections, 1, 1 << 16));
  HFD_RETURN_IF_ERROR(
      reader.Integer("max_connections_per_level", h.max_connections_per_level, 1, 1 << 16));
  HFD_RETURN_IF_ERROR(reader.Bool("auto_pull", h.auto_pull));
  return reader.RejectUnread();
}

Status ApplyModels(TableReader& reader, Config& config) {
  ModelsConfig& m = config.models;
  HFD_RETURN_IF_ERROR(reader.NumberOrText("keep_alive", m.keep_alive_seconds, ParseDurationSeconds,
                                          "seconds or a duration like \"5m\""));
  HFD_RETURN_IF_ERROR(reader.Integer("max_concurrency", m.max_concurrency, 1, 64));
  HFD_RETURN_IF_ERROR(reader.Integer("max_queue", m.max_queue, 0, 1 << 16));
  HFD_RETURN_IF_ERROR(reader.NumberOrText("memory_budget", m.memory_budget_bytes, ParseByteSize,
                                          "bytes or a size like \"8GiB\""));
  if (m.memory_budget_bytes < 0) {
    return InvalidArgument("models.memory_budget must not be negative (0: automatic)");
  }
  HFD_RETURN_IF_ERROR(reader.Integer("default_context", m.default_context, 16, 1 << 22));
  HFD_RETURN_IF_ERROR(reader.Strings("initial_load", m.initial_load));
  HFD_RETURN_IF_ERROR(reader.Integer("kv_pool_tokens", m.kv_pool_tokens, 0, 1 << 26));
  HFD_RETURN_IF_ERROR(reader.Bool("prefix_cache", m.prefix_cache));
  HFD_RETURN_IF_ERROR(reader.String("derived_dir", m.derived_dir));
  return reader.RejectUnread();
}

// Applies a sub-table (`[name]`) with `apply`, if present.
template <typename Apply>
Status ApplySection(TableReader& top, std::string_view name, std::string_view origin,
                    Config& config, Apply apply) {
  const toml::table* table = top.Table(name);
  if (table == nullptr) return Status::Ok();
  TableReader reader(*table, std::string(name) + ".", origin);
  return apply(reader, config);
}

Result<std::uint32_t> ParseSeconds(const char* text, std::string_view what) {
  char* end = nullptr;
  const unsigned long value = std::strtoul(text, &end, 10);
  if (*text == '\0' || *end != '\0' || value > UINT32_MAX) {
    return InvalidArgument(std::string(what) + " must be a number of seconds");
  }
  return static_cast<std::uint32_t>(value);
}

const char* Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

Status ApplyFile(const std::string& path, Config& config) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot read config file " + path);
  std::stringstream text;
  text << in.rdbuf();
  config.config_path = path;
  return ApplyConfigToml(text.str(), path, config);
}

}  // namespace

Status ApplyConfigToml(std::string_view text, std::string_view origin, Config& config) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << e.source().begin;
    return InvalidArgument(std::string(origin) + ":" + where.str() + ": " +
                           std::string(e.description()));
  }
  TableReader top(root, "", origin);
  HFD_RETURN_IF_ERROR(top.String("socket", config.socket_path));
  std::string mode;
  HFD_RETURN_IF_ERROR(top.String("socket_mode", mode));
  if (!mode.empty()) {
    HFD_ASSIGN_OR_RETURN(config.socket_mode, ParseMode(mode, origin));
  }
  HFD_RETURN_IF_ERROR(top.Integer("idle_exit", config.idle_exit_seconds, 0, UINT32_MAX));
  HFD_RETURN_IF_ERROR(top.Integer("worker_threads", config.worker_threads, 1, 256));
  HFD_RETURN_IF_ERROR(top.Integer("history_size", config.history_size, 1, 1 << 20));
  HFD_RETURN_IF_ERROR(ApplySection(top, "log", origin, config, ApplyLog));
  HFD_RETURN_IF_ERROR(ApplySection(top, "limits", origin, config, ApplyLimits));
  HFD_RETURN_IF_ERROR(ApplySection(top, "policy", origin, config, ApplyPolicy));
  HFD_RETURN_IF_ERROR(ApplySection(top, "models", origin, config, ApplyModels));
  HFD_RETURN_IF_ERROR(ApplySection(
      top, "http", origin, config,
      [origin](TableReader& reader, Config& c) { return ApplyHttp(reader, origin, c); }));
  HFD_RETURN_IF_ERROR(top.String("http_socket", config.http.socket_path));
  HFD_RETURN_IF_ERROR(top.String("http_listen", config.http.listen));
  HFD_RETURN_IF_ERROR(top.String("backend", config.backend));
  HFD_RETURN_IF_ERROR(top.String("device", config.device));
  HFD_RETURN_IF_ERROR(top.String("cpu_activations", config.cpu_activations));
  HFD_RETURN_IF_ERROR(top.NumberOrText("vulkan_max_memory", config.vulkan_max_memory_bytes,
                                       ParseByteSize, "bytes or a size like \"6GiB\""));
  if (config.vulkan_max_memory_bytes < 0) {
    return InvalidArgument(std::string(origin) +
                           ": vulkan_max_memory must not be negative (0: 90% of the GPU's memory)");
  }
  std::string token;
  HFD_RETURN_IF_ERROR(top.String("hf_token", config.hf_token));
  HFD_RETURN_IF_ERROR(top.String("token", token));
  if (!token.empty() && !config.hf_token.empty()) {
    return InvalidArgument(std::string(origin) +
                           ": give the Hub token once, as hf_token or as token, not both");
  }
  if (!token.empty()) config.hf_token = token;
  return top.RejectUnread();
}

Status ApplyConfigEnvironment(Config& config) {
  if (const char* v = Env("HFD_SOCKET")) config.socket_path = v;
  if (const char* v = Env("HFD_IDLE_EXIT")) {
    HFD_ASSIGN_OR_RETURN(config.idle_exit_seconds, ParseSeconds(v, "HFD_IDLE_EXIT"));
  }
  if (const char* v = Env("HFD_HTTP_SOCKET")) config.http.socket_path = v;
  if (const char* v = Env("HFD_HTTP_LISTEN")) config.http.listen = v;
  if (const char* v = Env("HFD_LOG_LEVEL")) config.log_level = v;
  if (const char* v = Env("HFD_LOG_TARGET")) config.log_target = v;
  if (const char* v = Env("HFD_BACKEND")) config.backend = v;
  if (const char* v = Env("HFD_DEVICE")) config.device = v;
  if (const char* v = Env("HFD_CPU_ACTIVATIONS")) config.cpu_activations = v;
  if (const char* v = Env("HFD_VULKAN_MAX_MEMORY")) {
    HFD_ASSIGN_OR_RETURN(config.vulkan_max_memory_bytes, ParseByteSize(v, "HFD_VULKAN_MAX_MEMORY"));
  }
  if (const char* v = Env("HFD_KEEP_ALIVE")) {
    HFD_ASSIGN_OR_RETURN(config.models.keep_alive_seconds,
                         ParseDurationSeconds(v, "HFD_KEEP_ALIVE"));
  }
  if (const char* v = Env("HFD_MEMORY_BUDGET")) {
    HFD_ASSIGN_OR_RETURN(config.models.memory_budget_bytes, ParseByteSize(v, "HFD_MEMORY_BUDGET"));
  }
  if (const char* v = Env("HFD_DERIVED_DIR")) config.models.derived_dir = v;
  return Status::Ok();
}

std::string DefaultConfigPath() {
  // Set by systemd for ConfigurationDirectory=hfd (possibly a colon-separated list).
  if (const char* dirs = Env("CONFIGURATION_DIRECTORY")) {
    const std::string first(dirs, std::strcspn(dirs, ":"));
    return first + "/hfd.toml";
  }
  if (::geteuid() == 0) return "/etc/hfd/hfd.toml";
  if (const char* xdg = Env("XDG_CONFIG_HOME")) return std::string(xdg) + "/hfd/hfd.toml";
  if (const char* home = Env("HOME")) return std::string(home) + "/.config/hfd/hfd.toml";
  return "/etc/hfd/hfd.toml";
}

std::string DerivedDir(const Config& config) {
  const std::string& set = config.models.derived_dir;
  if (set == "off") return "";
  if (!set.empty()) return set;
  // Set by systemd for CacheDirectory=hfd (possibly a colon-separated list).
  if (const char* dirs = Env("CACHE_DIRECTORY")) {
    return std::string(dirs, std::strcspn(dirs, ":")) + "/derived";
  }
  if (::geteuid() == 0) return "/var/cache/hfd/derived";
  if (const char* xdg = Env("XDG_CACHE_HOME")) return std::string(xdg) + "/hfd/derived";
  if (const char* home = Env("HOME")) return std::string(home) + "/.cache/hfd/derived";
  return "";
}

Result<Config> LoadConfig(const ConfigOverrides& overrides) {
  Config config;
  if (overrides.config_path) {
    HFD_RETURN_IF_ERROR(ApplyFile(*overrides.config_path, config));
  } else if (const char* path = Env("HFD_CONFIG")) {
    HFD_RETURN_IF_ERROR(ApplyFile(path, config));
  } else if (std::error_code ec; std::filesystem::exists(DefaultConfigPath(), ec)) {
    HFD_RETURN_IF_ERROR(ApplyFile(DefaultConfigPath(), config));
  }
  HFD_RETURN_IF_ERROR(ApplyConfigEnvironment(config));
  if (overrides.socket_path) config.socket_path = *overrides.socket_path;
  if (overrides.idle_exit_seconds) config.idle_exit_seconds = *overrides.idle_exit_seconds;
  if (overrides.log_level) config.log_level = *overrides.log_level;
  if (overrides.log_target) config.log_target = *overrides.log_target;
  if (overrides.worker_threads) config.worker_threads = *overrides.worker_threads;
  if (overrides.backend) config.backend = *overrides.backend;
  if (overrides.device) config.device = *overrides.device;
  if (overrides.cpu_activations) config.cpu_activations = *overrides.cpu_activations;
  if (config.backend != "auto" && config.backend != "vulkan" && config.backend != "cpu") {
    return InvalidArgument("backend must be auto, vulkan or cpu, not '" + config.backend + "'");
  }
  HFD_RETURN_IF_ERROR(backends::ParseCpuActivations(config.cpu_activations).status());
  if (const std::string& d = config.models.derived_dir; !d.empty() && d != "off" && d[0] != '/') {
    return InvalidArgument("models.derived_dir must be an absolute path or \"off\", not '" + d +
                           "'");
  }
  if (config.log_target != "auto" && config.log_target != "journal" &&
      config.log_target != "stderr") {
    return InvalidArgument("log target must be auto, journal or stderr, not '" + config.log_target +
                           "'");
  }
  return config;
}

}  // namespace hfd::daemon
