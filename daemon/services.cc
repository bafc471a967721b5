#include "daemon/services.h"

#include <unistd.h>

namespace hfd::daemon {

ServerMetrics::ServerMetrics(metrics::Registry& r)
    : uptime_seconds(r.AddGauge("hfd_uptime_seconds", "Seconds since the daemon started")),
      connections(r.AddGauge("hfd_connections", "Client connections open now")),
      connections_total(
          r.AddCounter("hfd_connections_total", "Client connections accepted since start")),
      requests(r.AddCounter("hfd_requests_total", "Requests received, by method", {"method"})),
      request_errors(r.AddCounter("hfd_request_errors_total",
                                  "Requests answered with an error, by method and error code",
                                  {"method", "code"})),
      request_duration_ms(r.AddHistogram("hfd_request_duration_ms",
                                         "Time from receiving a request to queuing its reply",
                                         metrics::LatencyBucketsMs(), {"method"})),
      requests_in_flight(r.AddGauge("hfd_requests_in_flight", "Requests not yet answered")),
      protocol_errors(r.AddCounter("hfd_protocol_errors_total",
                                   "Messages refused before dispatch, by reason", {"reason"})),
      output_queue_bytes(r.AddGauge("hfd_output_queue_bytes",
                                    "Reply bytes waiting for slow clients to read them")) {}

namespace {

std::vector<gid_t> PolicyGroups(const Config& config, const ListenSocket& socket) {
  std::vector<gid_t> gids = config.allow_gids;
  if (config.allow_socket_group) gids.push_back(socket.group);
  return gids;
}

}  // namespace

DaemonServices::DaemonServices(Config cfg, ListenSocket sock)
    : config(std::move(cfg)),
      socket(std::move(sock)),
      policy(::geteuid(), config.allow_uids, PolicyGroups(config, socket), config.default_level),
      pid(::getpid()),
      started(std::chrono::steady_clock::now()),
      spans(config.history_size) {}

double DaemonServices::UptimeSeconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

}  // namespace hfd::daemon
