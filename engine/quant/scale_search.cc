#include "engine/quant/scale_search.h"

#include <cmath>

#include "engine/quant/block_codecs.h"

namespace hfd::quant_internal {
namespace {

constexpr int kSteps = 20;         // candidate scales tried around nmax / (max - min)
constexpr float kStepSize = 0.1f;  // in units of one code

struct AffineFit {
  float scale;
  float min;
  float error;
};

// Least-squares scale and min for fixed codes; min is kept <= 0 as the format requires.
AffineFit FitAffine(int n, const float* x, const float* w, const uint8_t* q) {
  float sw = 0, sl = 0, sl2 = 0, sx = 0, sxl = 0;
  for (int i = 0; i < n; ++i) {
    sw += w[i];
    sl += w[i] * q[i];
    sl2 += w[i] * q[i] * q[i];
    sx += w[i] * x[i];
    sxl += w[i] * x[i] * q[i];
  }
  AffineFit fit{0, 0, 0};
  const float det = sw * sl2 - sl * sl;
  if (det > 0) {
    fit.scale = (sw * sxl - sx * sl) / det;
    fit.min = (sl2 * sx - sl * sxl) / det;
  }
  if (fit.min > 0 || det <= 0) {
    fit.min = 0;
    fit.scale = sl2 > 0 ? sxl / sl2 : 0;
  }
  for (int i = 0; i < n; ++i) {
    const float diff = fit.scale * q[i] + fit.min - x[i];
    fit.error += w[i] * diff * diff;
  }
  return fit;
}

void Codes(int n, int nmax, const float* x, float min, float iscale, uint8_t* q) {
  for (int i = 0; i < n; ++i)
    q[i] = static_cast<uint8_t>(NearestInt(iscale * (x[i] - min), 0, nmax));
}

}  // namespace

float SearchScaleMin(int n, int nmax, const float* x, const float* weights, uint8_t* codes,
                     float* neg_min) {
  float min = x[0], max = x[0];
  for (int i = 1; i < n; ++i) {
    min = std::fmin(min, x[i]);
    max = std::fmax(max, x[i]);
  }
  if (min > 0) min = 0;
  if (!(max > min)) {
    for (int i = 0; i < n; ++i) codes[i] = 0;
    *neg_min = -min;
    return 0;
  }
  uint8_t trial[256];
  Codes(n, nmax, x, min, nmax / (max - min), codes);
  AffineFit best = FitAffine(n, x, weights, codes);
  for (int step = 0; step <= kSteps; ++step) {
    const float iscale = (static_cast<float>(nmax) - 1.0f + kStepSize * step) / (max - min);
    Codes(n, nmax, x, min, iscale, trial);
    const AffineFit fit = FitAffine(n, x, weights, trial);
    if (fit.error < best.error) {
      best = fit;
      for (int i = 0; i < n; ++i) codes[i] = trial[i];
    }
  }
  // Re-derive the codes from the final fit so they are the nearest ones for it.
  if (best.scale > 0) {
    for (int i = 0; i < n; ++i) {
      codes[i] = static_cast<uint8_t>(NearestInt((x[i] - best.min) / best.scale, 0, nmax));
    }
  }
  *neg_min = -best.min;
  return best.scale;
}

float SearchScaleSymmetric(int n, int nmax, const float* x, int8_t* codes) {
  float amax = 0, max = 0;
  for (int i = 0; i < n; ++i) {
    if (std::fabs(x[i]) > amax) {
      amax = std::fabs(x[i]);
      max = x[i];
    }
  }
  if (amax == 0) {
    for (int i = 0; i < n; ++i) codes[i] = 0;
    return 0;
  }
  float best_scale = 0, best_error = INFINITY;
  int8_t trial[256];
  for (int step = -9; step <= 9; ++step) {
    const float iscale = -(static_cast<float>(nmax) + kStepSize * step) / max;
    float sxl = 0, sll = 0;
    for (int i = 0; i < n; ++i) {
      trial[i] = static_cast<int8_t>(NearestInt(iscale * x[i], -nmax, nmax - 1));
      const float w = x[i] * x[i];
      sxl += w * x[i] * trial[i];
      sll += w * trial[i] * trial[i];
    }
    if (sll <= 0) continue;
    const float scale = sxl / sll;
    float error = 0;
    for (int i = 0; i < n; ++i) {
      const float diff = scale * trial[i] - x[i];
      error += x[i] * x[i] * diff * diff;
    }
    if (error < best_error) {
      best_error = error;
      best_scale = scale;
      for (int i = 0; i < n; ++i) codes[i] = trial[i];
    }
  }
  return best_scale;
}

}  // namespace hfd::quant_internal
