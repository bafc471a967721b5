#include "engine/sampling/stop_checker.h"

#include <algorithm>

namespace hfd::sampling {

std::string_view StopReasonName(StopReason reason) {
  switch (reason) {
    case StopReason::kNone:
      return "none";
    case StopReason::kEos:
      return "eos";
    case StopReason::kStopString:
      return "stop_string";
    case StopReason::kMaxTokens:
      return "max_tokens";
    case StopReason::kContextLimit:
      return "context_limit";
  }
  return "none";
}

StopChecker::StopChecker(StopConfig config) : config_(std::move(config)) {
  std::erase_if(config_.stop, [](const std::string& s) { return s.empty(); });
}

size_t StopChecker::PossibleStopPrefix() const {
  size_t best = 0;
  for (const std::string& s : config_.stop) {
    size_t max_len = std::min(held_.size(), s.size() - 1);
    for (size_t len = max_len; len > best; --len) {
      if (held_.compare(held_.size() - len, len, s, 0, len) == 0) {
        best = len;
        break;
      }
    }
  }
  return best;
}

StopChecker::Step StopChecker::OnToken(int32_t token, std::string_view piece) {
  Step step;
  if (finished_) return step;
  ++generated_;
  if (std::find(config_.eos_ids.begin(), config_.eos_ids.end(), token) != config_.eos_ids.end()) {
    step.text = Flush();
    step.reason = StopReason::kEos;
    finished_ = true;
    return step;
  }
  held_.append(piece);
  // The earliest stop string occurrence wins; at equal positions, the longer string.
  size_t first = std::string::npos;
  for (const std::string& s : config_.stop) {
    size_t at = held_.find(s);
    if (at == std::string::npos) continue;
    if (at < first || (at == first && s.size() > step.matched.size())) {
      first = at;
      step.matched = s;
    }
  }
  if (first != std::string::npos) {
    step.text = held_.substr(0, first);
    held_.clear();
    step.reason = StopReason::kStopString;
    finished_ = true;
    return step;
  }
  if (config_.max_tokens > 0 && generated_ >= config_.max_tokens) {
    step.reason = StopReason::kMaxTokens;
  } else if (config_.context_length > 0 &&
             static_cast<int64_t>(config_.prompt_tokens) + generated_ >= config_.context_length) {
    step.reason = StopReason::kContextLimit;
  }
  if (step.reason != StopReason::kNone) {
    step.text = Flush();
    finished_ = true;
    return step;
  }
  size_t keep = PossibleStopPrefix();
  step.text = held_.substr(0, held_.size() - keep);
  held_.erase(0, held_.size() - keep);
  return step;
}

std::string StopChecker::Flush() {
  std::string out = std::move(held_);
  held_.clear();
  return out;
}

}  // namespace hfd::sampling
