// Decides when generation ends and which text may be streamed so far. Stop strings are
// matched on the detokenized text across token boundaries: text that could be the start
// of a stop string is held back until the next pieces prove it is not.
// One StopChecker per generation, used from one thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hfd::sampling {

enum class StopReason {
  kNone,         // keep generating
  kEos,          // the model produced an end-of-sequence token
  kStopString,   // the text reached one of the stop strings
  kMaxTokens,    // the requested number of tokens was generated
  kContextLimit  // prompt + generated tokens fill the context window
};

// "eos", "stop_string", "max_tokens", "context_limit" (or "none"), for the wire protocol.
std::string_view StopReasonName(StopReason reason);

struct StopConfig {
  std::vector<int32_t> eos_ids;   // any of them ends generation
  std::vector<std::string> stop;  // non-empty strings (see SamplingParams::stop)
  int32_t max_tokens = -1;        // -1: no limit other than the context
  int32_t context_length = 0;     // 0: unknown, not checked
  int32_t prompt_tokens = 0;      // tokens already in the context
};

class StopChecker {
 public:
  explicit StopChecker(StopConfig config);

  struct Step {
    std::string text;  // text that may be shown now (possibly empty)
    StopReason reason = StopReason::kNone;
    std::string matched;  // the stop string, when reason is kStopString
  };

  // Feeds one generated token and its decoded text piece (complete UTF-8 only, as the
  // tokenizer's streaming decoder gives it). Once a reason other than kNone is returned,
  // everything that is part of the output has been returned and the checker is finished.
  Step OnToken(int32_t token, std::string_view piece);

  // Text still held back, for a caller that ends generation itself (e.g. cancellation).
  std::string Flush();

  int32_t generated() const { return generated_; }

 private:
  // Length of the longest suffix of held_ that is a proper prefix of some stop string.
  size_t PossibleStopPrefix() const;

  StopConfig config_;
  std::string held_;
  int32_t generated_ = 0;
  bool finished_ = false;
};

}  // namespace hfd::sampling
