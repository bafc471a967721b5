// Bounds on one render, so that a hostile template cannot hang the daemon or exhaust its
// memory or stack. The defaults are far above what real chat templates need.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hfd::chat {

struct RenderLimits {
  // Largest rendered prompt, and largest string any expression may build.
  size_t max_output_bytes = size_t{8} << 20;
  // Work budget: one unit per statement or expression evaluated, plus the size of lists
  // and strings built by operators and filters.
  int64_t max_steps = 5'000'000;
  // Deepest nesting of evaluation (statements, expressions and macro calls together).
  int max_eval_depth = 200;
  // Deepest nesting of lists and dicts, built by the template or passed in as messages.
  int max_value_depth = 64;
};

}  // namespace hfd::chat
