// hfd: the daemon's entry point. Flags, configuration, logging, the socket, then the loop.
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <string>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "daemon/backend_probe.h"
#include "daemon/config.h"
#include "daemon/listen_socket.h"
#include "daemon/logging.h"
#include "daemon/methods/methods.h"
#include "daemon/sd_notifier.h"
#include "daemon/server.h"
#include "http/http_door.h"

namespace {

int Fail(const hfd::Status& status) {
  spdlog::error("{}", status.ToString());
  hfd::daemon::sd::SetStatus("Failed: " + status.message());
  return 1;
}

int RunDaemon(const hfd::daemon::ConfigOverrides& overrides) {
  using namespace hfd::daemon;
  hfd::Result<Config> config = LoadConfig(overrides);
  if (!config.ok()) {
    std::fprintf(stderr, "hfd: %s\n", config.status().ToString().c_str());
    return 2;
  }
  if (hfd::Status s = SetUpLogging(config->log_target, config->log_level); !s.ok()) {
    std::fprintf(stderr, "hfd: %s\n", s.ToString().c_str());
    return 2;
  }
  if (!config->config_path.empty()) spdlog::info("configuration from {}", config->config_path);
  hfd::Result<ListenSocket> socket = AcquireListenSocket(*config);
  if (!socket.ok()) return Fail(socket.status());
  hfd::Result<hfd::backends::BackendKind> backend =
      hfd::backends::ParseBackendKind(config->backend);
  if (!backend.ok()) return Fail(backend.status());
  hfd::Result<hfd::cpu::ActPrecision> cpu_activations =
      hfd::backends::ParseCpuActivations(config->cpu_activations);
  if (!cpu_activations.ok()) return Fail(cpu_activations.status());
  // Outlives the server, whose `status` asks it.
  CachedBackendProbe backend_probe({*backend, config->device, 0, *cpu_activations});
  Server server(std::move(config).value(), std::move(socket).value());
  server.services().backends = [&backend_probe] { return backend_probe.Report(); };
  backend_probe.Start();
  if (hfd::Status s = RegisterAllMethods(server.methods(), server.services()); !s.ok()) {
    return Fail(s);
  }
  if (hfd::Status s = hfd::http::StartHttpDoor(server.services()); !s.ok()) return Fail(s);
  if (hfd::Status s = server.Run(); !s.ok()) return Fail(s);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Writes to a vanished client must fail with EPIPE, not kill the daemon.
  std::signal(SIGPIPE, SIG_IGN);
  // Clients can connect as soon as the socket listens, before the loop handles signals:
  // hold SIGTERM/SIGINT until then (Server unblocks them) so an early stop is graceful.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  CLI::App app{"hfd: serves Hugging Face models over a local socket (see docs/daemon.md)", "hfd"};
  hfd::daemon::ConfigOverrides overrides;
  app.add_option("--config", overrides.config_path, "TOML configuration file");
  app.add_option("--socket", overrides.socket_path,
                 "Unix socket to bind when not socket-activated");
  app.add_option("--idle-exit", overrides.idle_exit_seconds,
                 "Exit after this many seconds without clients or work (0: never)");
  app.add_option("--log-level", overrides.log_level,
                 "trace, debug, info, warn, error, critical or off");
  app.add_option("--log-target", overrides.log_target, "auto, journal or stderr");
  app.add_option("--worker-threads", overrides.worker_threads, "Threads for long-running requests");
  app.add_option("--backend", overrides.backend,
                 "auto (Vulkan on a real GPU, else CPU), vulkan or cpu");
  app.add_option("--device", overrides.device,
                 "Vulkan device: an index or part of its name (default: the best GPU)");
  app.add_option("--cpu-activations", overrides.cpu_activations,
                 "CPU activations for quantized weights: int8 (default) or int8x2 (closer to "
                 "full precision, about twice the integer work)");
  app.set_version_flag("--version", std::string("hfd ") + HFD_VERSION);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    return RunDaemon(overrides);
  } catch (const std::exception& e) {
    spdlog::critical("unexpected exception: {}", e.what());
    return 1;
  }
}
