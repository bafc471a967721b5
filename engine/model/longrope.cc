#include "engine/model/longrope.h"

#include <cmath>

namespace hfd::model {

float LongRopeDefaultAttnFactor(int64_t max_position, int64_t original) {
  if (original <= 1 || max_position <= original) return 1.0f;
  const double s = static_cast<double>(max_position) / static_cast<double>(original);
  return static_cast<float>(std::sqrt(1.0 + std::log(s) / std::log(static_cast<double>(original))));
}

const std::vector<float>& LongRopeFactorsFor(const RopeScaling& scaling, int64_t n_ctx) {
  return n_ctx > scaling.original_max_position ? scaling.long_factors : scaling.short_factors;
}

}  // namespace hfd::model
