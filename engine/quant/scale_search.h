// Per-sub-block scale searches used by the K-type encoders (internal to quant/).
#pragma once

#include <cstdint>

namespace hfd::quant_internal {

// Affine fit y = scale * q - neg_min with q in [0, nmax], minimising the weighted squared
// error over a small grid of candidate scales refined by least squares. Writes the codes
// to `codes` and -min (>= 0) to `neg_min`; returns the scale (>= 0).
float SearchScaleMin(int n, int nmax, const float* x, const float* weights, uint8_t* codes,
                     float* neg_min);

// Symmetric fit y = scale * q with q in [-nmax, nmax - 1], weighted by x^2. Writes the
// codes to `codes` and returns the (signed) scale.
float SearchScaleSymmetric(int n, int nmax, const float* x, int8_t* codes);

}  // namespace hfd::quant_internal
