// The TOML configuration and the environment.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>

#include "daemon/config.h"

namespace hfd::daemon {
namespace {

TEST(Config, EveryDocumentedKeyParses) {
  Config c;
  const Status s = ApplyConfigToml(R"(
socket = "/tmp/x.sock"
socket_mode = "0640"
idle_exit = 30
worker_threads = 2
history_size = 10
backend = "cpu"
device = "1"
cpu_activations = "int8x2"
vulkan_max_memory = "6GiB"
hf_token = "hf_secret"
[log]
level = "debug"
target = "stderr"
[limits]
max_message_bytes = 65536
max_depth = 8
max_string_bytes = 1024
max_binary_bytes = 2048
max_array_items = 100
max_map_entries = 50
max_output_bytes = 8192
max_connections = 5
max_connections_per_user = 3
[policy]
allow_users = [0, "root"]
allow_groups = [0]
allow_socket_group = false
[models]
keep_alive = "10m"
max_concurrency = 2
max_queue = 4
memory_budget = "6GiB"
default_context = 2048
initial_load = ["org/a:Q8_0", "/models/b.gguf"]
kv_pool_tokens = 4096
prefix_cache = false
derived_dir = "/srv/hfd/derived"
)",
                                   "test.toml", c);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(c.socket_path, "/tmp/x.sock");
  EXPECT_EQ(c.socket_mode, 0640u);
  EXPECT_EQ(c.idle_exit_seconds, 30u);
  EXPECT_EQ(c.worker_threads, 2u);
  EXPECT_EQ(c.history_size, 10u);
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.log_target, "stderr");
  EXPECT_EQ(c.limits.max_message_bytes, 65536u);
  EXPECT_EQ(c.limits.max_depth, 8u);
  EXPECT_EQ(c.limits.max_string_bytes, 1024u);
  EXPECT_EQ(c.limits.max_binary_bytes, 2048u);
  EXPECT_EQ(c.limits.max_array_items, 100u);
  EXPECT_EQ(c.limits.max_map_entries, 50u);
  EXPECT_EQ(c.max_output_bytes, 8192u);
  EXPECT_EQ(c.max_connections, 5u);
  EXPECT_EQ(c.max_connections_per_user, 3u);
  EXPECT_EQ(c.allow_uids, (std::vector<uid_t>{0, 0}));
  EXPECT_EQ(c.allow_gids, (std::vector<gid_t>{0}));
  EXPECT_FALSE(c.allow_socket_group);
  EXPECT_EQ(c.backend, "cpu");
  EXPECT_EQ(c.device, "1");
  EXPECT_EQ(c.cpu_activations, "int8x2");
  EXPECT_EQ(c.vulkan_max_memory_bytes, 6LL << 30);
  EXPECT_EQ(c.hf_token, "hf_secret");
  EXPECT_DOUBLE_EQ(c.models.keep_alive_seconds, 600);
  EXPECT_EQ(c.models.max_concurrency, 2u);
  EXPECT_EQ(c.models.max_queue, 4u);
  EXPECT_EQ(c.models.memory_budget_bytes, 6LL << 30);
  EXPECT_EQ(c.models.default_context, 2048u);
  EXPECT_EQ(c.models.initial_load, (std::vector<std::string>{"org/a:Q8_0", "/models/b.gguf"}));
  EXPECT_EQ(c.models.kv_pool_tokens, 4096u);
  EXPECT_FALSE(c.models.prefix_cache);
  EXPECT_EQ(c.models.derived_dir, "/srv/hfd/derived");
}

// The folder for local sources' derived weights: the key, "off", else the daemon's cache
// folder as systemd, root or the user's XDG cache says.
TEST(Config, DerivedDirFollowsTheKeyThenSystemdThenXdg) {
  Config c;
  c.models.derived_dir = "/srv/d";
  EXPECT_EQ(DerivedDir(c), "/srv/d");
  c.models.derived_dir = "off";
  EXPECT_EQ(DerivedDir(c), "");
  c.models.derived_dir = "";
  ::setenv("CACHE_DIRECTORY", "/var/cache/hfd:/var/cache/other", 1);
  EXPECT_EQ(DerivedDir(c), "/var/cache/hfd/derived");
  ::unsetenv("CACHE_DIRECTORY");
  if (::geteuid() == 0) {
    EXPECT_EQ(DerivedDir(c), "/var/cache/hfd/derived");
  } else {
    ::setenv("XDG_CACHE_HOME", "/x/cache", 1);
    EXPECT_EQ(DerivedDir(c), "/x/cache/hfd/derived");
    ::unsetenv("XDG_CACHE_HOME");
    const char* home = std::getenv("HOME");
    if (home != nullptr) {
      EXPECT_EQ(DerivedDir(c), std::string(home) + "/.cache/hfd/derived");
    }
  }
  ::setenv("HFD_CONFIG", "/dev/null", 1);
  ::setenv("HFD_DERIVED_DIR", "relative/d", 1);
  auto bad = LoadConfig({});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("models.derived_dir must be an absolute path"),
            std::string::npos)
      << bad.status().ToString();
  ::setenv("HFD_DERIVED_DIR", "/env/d", 1);
  auto good = LoadConfig({});
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(DerivedDir(*good), "/env/d");
  ::unsetenv("HFD_DERIVED_DIR");
  ::unsetenv("HFD_CONFIG");
}

TEST(Config, ModelsAcceptNumbersAndTokenAlias) {
  Config c;
  const Status s = ApplyConfigToml(
      "token = \"t\"\n[models]\nkeep_alive = -1\nmemory_budget = 1048576", "test.toml", c);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(c.hf_token, "t");
  EXPECT_DOUBLE_EQ(c.models.keep_alive_seconds, -1);
  EXPECT_EQ(c.models.memory_budget_bytes, 1048576);
}

TEST(Config, ErrorsNameTheKeyAndTheFile) {
  struct Case {
    const char* toml;
    const char* fragment;
  };
  for (const Case& c : {Case{"idle_exit = \"soon\"", "'idle_exit' must be an integer"},
                        Case{"idle_exit = -1", "'idle_exit' must be an integer"},
                        Case{"socket_mode = \"999\"", "socket_mode"},
                        Case{"sockett = \"/x\"", "unknown key 'sockett'"},
                        Case{"[limits]\nmax_depth = 1", "'limits.max_depth'"},
                        Case{"[limits]\nbogus = 1", "unknown key 'limits.bogus'"},
                        Case{"[policy]\nallow_groups = [\"no-such-group-xyz\"]", "no such group"},
                        Case{"[models]\nkeep_alive = \"soon\"", "models.keep_alive"},
                        Case{"[models]\nmemory_budget = \"lots\"", "models.memory_budget"},
                        Case{"[models]\nmax_concurrency = 0", "'models.max_concurrency'"},
                        Case{"vulkan_max_memory = \"most\"", "vulkan_max_memory"},
                        Case{"vulkan_max_memory = -1", "must not be negative"},
                        Case{"hf_token = \"a\"\ntoken = \"b\"", "not both"},
                        Case{"this is not toml", "bad.toml"}}) {
    Config config;
    const Status s = ApplyConfigToml(c.toml, "bad.toml", config);
    EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << c.toml;
    EXPECT_NE(s.message().find(c.fragment), std::string::npos) << c.toml << " -> " << s.message();
  }
}

TEST(Config, EnvironmentAndFlagsOverrideTheFile) {
  ::setenv("HFD_CONFIG", "/dev/null", 1);
  ::setenv("HFD_SOCKET", "/tmp/from-env.sock", 1);
  ::setenv("HFD_IDLE_EXIT", "12", 1);
  ConfigOverrides flags;
  Result<Config> c = LoadConfig(flags);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->socket_path, "/tmp/from-env.sock");
  EXPECT_EQ(c->idle_exit_seconds, 12u);
  flags.socket_path = "/tmp/from-flag.sock";
  flags.idle_exit_seconds = 3;
  c = LoadConfig(flags);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->socket_path, "/tmp/from-flag.sock");
  EXPECT_EQ(c->idle_exit_seconds, 3u);
  ::setenv("HFD_IDLE_EXIT", "soon", 1);
  EXPECT_FALSE(LoadConfig({}).ok());
  ::unsetenv("HFD_IDLE_EXIT");
  ::unsetenv("HFD_SOCKET");
  ::unsetenv("HFD_CONFIG");
}

TEST(Config, CpuActivationsFromEnvironmentAndFlag) {
  ::setenv("HFD_CONFIG", "/dev/null", 1);
  ConfigOverrides flags;
  Result<Config> c = LoadConfig(flags);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->cpu_activations, "int8");
  ::setenv("HFD_CPU_ACTIVATIONS", "int8x2", 1);
  c = LoadConfig(flags);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->cpu_activations, "int8x2");
  flags.cpu_activations = "int8";
  c = LoadConfig(flags);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->cpu_activations, "int8");
  // Checked whichever source set it; the message lists the allowed values.
  flags.cpu_activations = "int4";
  c = LoadConfig(flags);
  EXPECT_EQ(c.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("int8 or int8x2"), std::string::npos) << c.status().message();
  ::setenv("HFD_CPU_ACTIVATIONS", "f32", 1);
  EXPECT_EQ(LoadConfig({}).status().code(), ErrorCode::kInvalidArgument);
  ::unsetenv("HFD_CPU_ACTIVATIONS");
  ::unsetenv("HFD_CONFIG");
}

TEST(Config, VulkanMaxMemoryFromEnvironment) {
  ::setenv("HFD_CONFIG", "/dev/null", 1);
  ::setenv("HFD_VULKAN_MAX_MEMORY", "512MiB", 1);
  Result<Config> c = LoadConfig({});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->vulkan_max_memory_bytes, 512LL << 20);
  ::setenv("HFD_VULKAN_MAX_MEMORY", "plenty", 1);
  c = LoadConfig({});
  EXPECT_EQ(c.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("HFD_VULKAN_MAX_MEMORY"), std::string::npos)
      << c.status().message();
  ::unsetenv("HFD_VULKAN_MAX_MEMORY");
  ::unsetenv("HFD_CONFIG");
}

TEST(Config, MissingExplicitFileIsAnError) {
  ConfigOverrides flags;
  flags.config_path = "/nonexistent/hfd.toml";
  EXPECT_EQ(LoadConfig(flags).status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace hfd::daemon
