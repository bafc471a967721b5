// A bounded, thread-safe history of finished spans (`health` probes now, `ai_completion`
// generations later), served newest first by the `history` method.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hfd::daemon {

struct Span {
  std::uint64_t id = 0;  // assigned by SpanHistory::Record, increasing
  std::string name;
  std::chrono::system_clock::time_point start;
  std::chrono::microseconds duration{0};
  nlohmann::json attributes = nlohmann::json::object();
  // The user whose request it records; `history` shows a span to that user and to
  // managers only. Unset: the daemon's own (managers only).
  std::optional<uid_t> owner;
};

// {id, name, start (RFC 3339, UTC), start_unix_ms, duration_ms, attributes}.
nlohmann::json SpanToJson(const Span& span);

class SpanHistory {
 public:
  explicit SpanHistory(std::size_t capacity);

  // Stores a copy, evicting the oldest span when full; returns the id it was given.
  std::uint64_t Record(Span span);

  // Up to `limit` spans, newest first; only those named `name` when given, and only those
  // owned by `owner` when given.
  std::vector<Span> Newest(std::size_t limit, const std::optional<std::string>& name = std::nullopt,
                           const std::optional<uid_t>& owner = std::nullopt) const;

  std::size_t capacity() const { return capacity_; }

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::deque<Span> spans_;  // oldest first
  std::uint64_t next_id_ = 1;
};

// Measures a span from construction to Finish(), which records it.
class SpanTimer {
 public:
  explicit SpanTimer(std::string name);
  nlohmann::json& attributes() { return span_.attributes; }
  void set_owner(uid_t uid) { span_.owner = uid; }
  std::uint64_t Finish(SpanHistory& history);

 private:
  Span span_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace hfd::daemon
