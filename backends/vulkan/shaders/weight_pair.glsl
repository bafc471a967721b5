// Two weight matrices of the same type and shape (a gated MLP's gate and up
// projections): the first at binding 0, decoded by dequant_unit_a, the second at
// binding 3, decoded by dequant_unit_b.
layout(std430, binding = 0) readonly buffer WeightsA { uint16_t w_a[]; };
layout(std430, binding = 3) readonly buffer WeightsB { uint16_t w_b[]; };

#define W_SUFFIX(name) name##_a
#include "weight_rename.glsl"
#include "weight_codec.glsl"
#include "weight_rename.glsl"
#undef W_SUFFIX

#define W_SUFFIX(name) name##_b
#include "weight_rename.glsl"
#include "weight_codec.glsl"
#include "weight_rename.glsl"
#undef W_SUFFIX
