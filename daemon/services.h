// The daemon-wide objects method handlers use. Owned by the Server; lives as long as it.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "daemon/backend_probe.h"
#include "daemon/config.h"
#include "daemon/listen_socket.h"
#include "daemon/metrics/registry.h"
#include "daemon/peer.h"
#include "daemon/spans/span_history.h"
#include "serve/service.h"

namespace hfd::daemon {

class ServeTelemetry;

// Metrics the server itself keeps up to date (families live in the registry).
struct ServerMetrics {
  explicit ServerMetrics(metrics::Registry& registry);
  metrics::Gauge& uptime_seconds;
  metrics::Gauge& connections;
  metrics::Counter& connections_total;
  metrics::Counter& requests;
  metrics::Counter& request_errors;
  metrics::Histogram& request_duration_ms;
  metrics::Gauge& requests_in_flight;
  metrics::Counter& protocol_errors;
  metrics::Gauge& output_queue_bytes;
};

// One listener of the HTTP door (docs/http-api.md), as `status` reports it.
struct HttpListenerInfo {
  bool tcp = false;
  std::string address;  // the Unix socket's path, or host:port
  bool socket_activated = false;
};

struct DaemonServices {
  DaemonServices(Config config, ListenSocket socket);

  const Config config;
  const ListenSocket socket;
  // What each peer may do; the serving core gets its verdict as a serve::Caller.
  const AccessPolicy policy;
  const pid_t pid;
  const std::chrono::steady_clock::time_point started;
  metrics::Registry metrics;
  ServerMetrics server_metrics{metrics};
  SpanHistory spans;
  // Replace before the server starts to report real backends.
  BackendProbe backends = DefaultBackendProbe;
  // Maintained by the server on the loop thread; read anywhere.
  std::atomic<std::size_t> open_connections{0};
  // Run on the loop thread before metrics are rendered, to set gauges that are sampled
  // rather than updated as things happen. Add before the server starts.
  std::vector<std::function<void()>> metric_refreshers;
  // Where the Hub token came from ("none", "config", "HF_TOKEN", "token_file"), never the
  // token: set by the hub methods at registration, before the server starts.
  std::string hub_token_source = "none";
  // The serving core every serving method calls (daemon/methods/serving.cc makes it).
  std::shared_ptr<serve::Service> service;
  // The llm_* metrics and ai_completion spans, shared by every door (the serve methods
  // make it at registration; the HTTP door records its requests there too).
  std::shared_ptr<ServeTelemetry> serve_telemetry;
  // Where the HTTP door listens: set by the door before the server starts; empty when it
  // has no listener.
  std::vector<HttpListenerInfo> http_listeners;

  // Something that keeps an idle daemon from exiting (resident models); asked on the
  // loop thread. Add before the server starts.
  std::vector<std::function<bool()>> idle_vetoes;
  // Run on the loop thread when shutdown begins, after the connections were closed (so
  // their requests are cancelled), before the worker pool stops. Add before the server
  // starts.
  std::vector<std::function<void()>> shutdown_hooks;

  double UptimeSeconds() const;
};

}  // namespace hfd::daemon
