#include "engine/model/rope_scaling.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace hfd::model {
namespace {

// The (fractional) pair index whose pair turns `rotations` times over `context` positions.
double CorrectionDim(double rotations, double dim, double theta, double context) {
  return dim * std::log(context / (rotations * 2 * std::numbers::pi)) / (2 * std::log(theta));
}

}  // namespace

double YarnMscale(double factor, double mscale) {
  return factor <= 1.0 ? 1.0 : 0.1 * mscale * std::log(factor) + 1.0;
}

std::vector<float> YarnFreqFactors(const RopeScaling& s, float theta, int64_t head_dim) {
  const auto dim = static_cast<double>(head_dim);
  const auto context = static_cast<double>(s.original_max_position);
  double low = CorrectionDim(s.beta_fast, dim, theta, context);
  double high = CorrectionDim(s.beta_slow, dim, theta, context);
  if (s.yarn_truncate) {
    low = std::floor(low);
    high = std::ceil(high);
  }
  low = std::max(low, 0.0);
  high = std::min(high, dim - 1);
  if (low == high) high += 0.001;  // a step, not a division by zero
  std::vector<float> out;
  for (int64_t i = 0; i < head_dim / 2; ++i) {
    // extrapolate: 1 keeps the pair's frequency, 0 interpolates it (divides by factor).
    const double ramp = std::clamp((static_cast<double>(i) - low) / (high - low), 0.0, 1.0);
    const double extrapolate = 1.0 - ramp;
    out.push_back(static_cast<float>(1.0 / ((1.0 - extrapolate) / s.factor + extrapolate)));
  }
  return out;
}

void SetScaledRopeFreqFactors(ModelDesc& desc) {
  const RopeScaling& s = desc.rope_scaling;
  // Partial rotary: the frequencies are over the rotated dimensions only.
  const int64_t dims = RopeDims(desc);
  if (dims <= 0) return;
  if (s.type == RopeScalingType::kLinear) {
    desc.rope_freq_factors.assign(static_cast<size_t>(dims / 2), s.factor);
  } else if (s.type == RopeScalingType::kYarn) {
    desc.rope_freq_factors = YarnFreqFactors(s, desc.rope_theta, dims);
  }
}

float LongRopeDefaultAttnFactor(int64_t max_position, int64_t original) {
  if (original <= 1 || max_position <= original) return 1.0f;
  const double s = static_cast<double>(max_position) / static_cast<double>(original);
  return static_cast<float>(std::sqrt(1.0 + std::log(s) / std::log(static_cast<double>(original))));
}

const std::vector<float>& LongRopeFactorsFor(const RopeScaling& scaling, int64_t n_ctx) {
  return n_ctx > scaling.original_max_position ? scaling.long_factors : scaling.short_factors;
}

}  // namespace hfd::model
