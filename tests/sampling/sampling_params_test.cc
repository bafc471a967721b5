// Parameter validation: every out-of-range value is refused with a message naming it.
#include "engine/sampling/sampling_params.h"

#include <cmath>
#include <functional>

#include <gtest/gtest.h>

namespace hfd::sampling {
namespace {

TEST(SamplingParamsTest, DefaultsAreValid) { EXPECT_TRUE(Validate(SamplingParams{}).ok()); }

TEST(SamplingParamsTest, InvalidValuesNameTheParameter) {
  struct Case {
    std::function<void(SamplingParams&)> set;
    const char* name;
  };
  const Case cases[] = {
      {[](SamplingParams& p) { p.temperature = -0.1f; }, "temperature"},
      {[](SamplingParams& p) { p.temperature = NAN; }, "temperature"},
      {[](SamplingParams& p) { p.top_k = -1; }, "top_k"},
      {[](SamplingParams& p) { p.top_p = 0.0f; }, "top_p"},
      {[](SamplingParams& p) { p.top_p = 1.5f; }, "top_p"},
      {[](SamplingParams& p) { p.min_p = -0.5f; }, "min_p"},
      {[](SamplingParams& p) { p.min_p = 2.0f; }, "min_p"},
      {[](SamplingParams& p) { p.repetition_penalty = 0.0f; }, "repetition_penalty"},
      {[](SamplingParams& p) { p.presence_penalty = 3.0f; }, "presence_penalty"},
      {[](SamplingParams& p) { p.frequency_penalty = -2.5f; }, "frequency_penalty"},
      {[](SamplingParams& p) { p.penalty_last_n = -2; }, "penalty_last_n"},
      {[](SamplingParams& p) { p.max_tokens = 0; }, "max_tokens"},
      {[](SamplingParams& p) { p.stop = {""}; }, "stop string"},
      {[](SamplingParams& p) { p.stop = std::vector<std::string>(17, "x"); }, "stop strings"},
      {[](SamplingParams& p) { p.stop = {std::string(300, 'x')}; }, "stop string"},
  };
  for (const Case& c : cases) {
    SamplingParams p;
    c.set(p);
    Status s = Validate(p);
    EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << c.name;
    EXPECT_NE(s.message().find(c.name), std::string::npos) << s.message();
  }
}

TEST(SamplingParamsTest, BoundaryValuesAreAccepted) {
  SamplingParams p;
  p.temperature = 0.0f;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  p.presence_penalty = -2.0f;
  p.frequency_penalty = 2.0f;
  p.penalty_last_n = -1;
  p.max_tokens = -1;
  EXPECT_TRUE(Validate(p).ok());
}

}  // namespace
}  // namespace hfd::sampling
