// What each numeric setting of the serving commands accepts. The flags (serving_flags.cc)
// and the chat's `/set parameter` (repl/chat_settings.cc) check values with the same rule,
// so they accept and refuse the same things with the same message.
#pragma once

#include "ctl/number_check.h"

namespace hfd::ctl::rules {

// Load settings. The daemon caps the context at what it supports; hfctl checks the floor.
inline constexpr NumberRule kCtx = WholeNumber(16, std::nullopt, "tokens");
inline constexpr NumberRule kMaxConcurrency = WholeNumber(1, 64, "requests");
inline constexpr NumberRule kMaxQueue = WholeNumber(0, std::nullopt, "requests");

// Generation settings (docs/sampling.md).
inline constexpr NumberRule kMaxTokens = WholeNumber(-1, 1 << 30, "tokens");
inline constexpr NumberRule kTemperature = RealNumber(0, 100);
inline constexpr NumberRule kTopK = WholeNumber(0, std::nullopt, "tokens");
inline constexpr NumberRule kProbability = RealNumber(0, 1);  // top_p, min_p
inline constexpr NumberRule kRepeatPenalty = RealNumber(0);
inline constexpr NumberRule kSeed = WholeNumber(0);

}  // namespace hfd::ctl::rules
