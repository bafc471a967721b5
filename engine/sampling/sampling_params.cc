#include "engine/sampling/sampling_params.h"

#include <cmath>

#include <fmt/format.h>

namespace hfd::sampling {
namespace {

Status OutOfRange(std::string_view name, double value, std::string_view range) {
  return InvalidArgument(
      fmt::format("sampling parameter {} = {} is invalid: it must be {}", name, value, range));
}

bool Within(float v, float lo, float hi) { return std::isfinite(v) && v >= lo && v <= hi; }

}  // namespace

Status Validate(const SamplingParams& p) {
  if (!Within(p.temperature, 0.0f, 100.0f)) {
    return OutOfRange("temperature", p.temperature, "between 0 (greedy) and 100");
  }
  if (p.top_k < 0) return OutOfRange("top_k", p.top_k, "0 (disabled) or positive");
  if (!std::isfinite(p.top_p) || p.top_p <= 0.0f || p.top_p > 1.0f) {
    return OutOfRange("top_p", p.top_p, "in (0, 1]; 1 disables it");
  }
  if (!Within(p.min_p, 0.0f, 1.0f)) return OutOfRange("min_p", p.min_p, "in [0, 1]; 0 disables it");
  if (!std::isfinite(p.repetition_penalty) || p.repetition_penalty <= 0.0f) {
    return OutOfRange("repetition_penalty", p.repetition_penalty, "positive; 1 disables it");
  }
  if (!Within(p.presence_penalty, -2.0f, 2.0f)) {
    return OutOfRange("presence_penalty", p.presence_penalty, "in [-2, 2]");
  }
  if (!Within(p.frequency_penalty, -2.0f, 2.0f)) {
    return OutOfRange("frequency_penalty", p.frequency_penalty, "in [-2, 2]");
  }
  if (p.penalty_last_n < -1) {
    return OutOfRange("penalty_last_n", p.penalty_last_n, "-1 (all tokens), 0 (none) or positive");
  }
  if (p.max_tokens < -1 || p.max_tokens == 0) {
    return OutOfRange("max_tokens", p.max_tokens, "positive, or -1 for up to the context limit");
  }
  if (p.stop.size() > kMaxStopStrings) {
    return InvalidArgument(fmt::format("too many stop strings: {} given, at most {} allowed",
                                       p.stop.size(), kMaxStopStrings));
  }
  for (const std::string& s : p.stop) {
    if (s.empty()) return InvalidArgument("a stop string is empty; remove it");
    if (s.size() > kMaxStopStringBytes) {
      return InvalidArgument(fmt::format("a stop string is {} bytes long; at most {} allowed",
                                         s.size(), kMaxStopStringBytes));
    }
  }
  return Status::Ok();
}

}  // namespace hfd::sampling
