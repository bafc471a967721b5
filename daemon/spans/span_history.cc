#include "daemon/spans/span_history.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace hfd::daemon {

nlohmann::json SpanToJson(const Span& span) {
  using namespace std::chrono;
  const auto since_epoch = duration_cast<milliseconds>(span.start.time_since_epoch());
  const auto seconds = duration_cast<std::chrono::seconds>(since_epoch);
  const std::time_t t = static_cast<std::time_t>(seconds.count());
  std::tm utc{};
  gmtime_r(&t, &utc);
  const std::string start = fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", utc,
                                        static_cast<int>((since_epoch - seconds).count()));
  return {{"id", span.id},
          {"name", span.name},
          {"start", start},
          {"start_unix_ms", since_epoch.count()},
          {"duration_ms", static_cast<double>(span.duration.count()) / 1000.0},
          {"attributes", span.attributes}};
}

SpanHistory::SpanHistory(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

std::uint64_t SpanHistory::Record(Span span) {
  std::lock_guard lock(mutex_);
  span.id = next_id_++;
  if (spans_.size() == capacity_) spans_.pop_front();
  spans_.push_back(std::move(span));
  return spans_.back().id;
}

std::vector<Span> SpanHistory::Newest(std::size_t limit, const std::optional<std::string>& name,
                                      const std::optional<uid_t>& owner) const {
  std::lock_guard lock(mutex_);
  std::vector<Span> out;
  for (auto it = spans_.rbegin(); it != spans_.rend() && out.size() < limit; ++it) {
    if (name && it->name != *name) continue;
    if (owner && it->owner != owner) continue;
    out.push_back(*it);
  }
  return out;
}

SpanTimer::SpanTimer(std::string name) : started_(std::chrono::steady_clock::now()) {
  span_.name = std::move(name);
  span_.start = std::chrono::system_clock::now();
}

std::uint64_t SpanTimer::Finish(SpanHistory& history) {
  span_.duration = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started_);
  return history.Record(std::move(span_));
}

}  // namespace hfd::daemon
