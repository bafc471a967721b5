// Renames the identifiers weight_codec.glsl defines to W_SUFFIX(name), so the decoder can
// be included once per matrix (weight_pair.glsl). Included a first time before the codec
// (renames) and a second time after it (undoes the renaming). Keep the list complete: a
// function missing here is defined twice and fails the build.
#ifndef W_RENAMED
#define W_RENAMED
#define w W_SUFFIX(w)
#define w_word W_SUFFIX(w_word)
#define w_byte W_SUFFIX(w_byte)
#define w_half W_SUFFIX(w_half)
#define w_sbyte W_SUFFIX(w_sbyte)
#define scale_min_k4 W_SUFFIX(scale_min_k4)
#define scale_q3_k W_SUFFIX(scale_q3_k)
#define iq3_grid_point W_SUFFIX(iq3_grid_point)
#define dequant_unit W_SUFFIX(dequant_unit)
#else
#undef W_RENAMED
#undef w
#undef w_word
#undef w_byte
#undef w_half
#undef w_sbyte
#undef scale_min_k4
#undef scale_q3_k
#undef iq3_grid_point
#undef dequant_unit
#endif
