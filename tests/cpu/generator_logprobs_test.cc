// Generate's log-probabilities on the CPU backend, on the fixture models.
#include <gtest/gtest.h>

#include "backends/cpu/cpu_backend.h"
#include "tests/cpu/generator_logprobs.h"
#include "tests/support/fixtures.h"

namespace hfd::testing {
namespace {

class GeneratorLogprobs : public ::testing::TestWithParam<const char*> {};

TEST_P(GeneratorLogprobs, MatchLogSoftmaxOfTheLogits) {
  HFD_REQUIRE_FIXTURES(fixtures);
  auto backend = cpu::CreateCpuBackend({});
  CheckGeneratorLogprobs(*backend, fixtures / GetParam());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, GeneratorLogprobs,
                         ::testing::Values("gguf/tiny-llama3-Q8_0.gguf",
                                           "gguf/tiny-qwen2-Q8_0.gguf"));

}  // namespace
}  // namespace hfd::testing
