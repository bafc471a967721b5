// The vector erf and tanh of glibc's libmvec (the x86-64 vector function ABI: 'd' = AVX2, 8 lanes;
// 'e' = AVX-512, 16 lanes), declared for the translation units compiled for those widths; each
// declaration only where its vector type is available. Include at file scope (C linkage).
#pragma once

#include <immintrin.h>

#if defined(__AVX2__)
extern "C" __m256 _ZGVdN8v_erff(__m256 x);   // NOLINT(bugprone-reserved-identifier)
extern "C" __m256 _ZGVdN8v_tanhf(__m256 x);  // NOLINT(bugprone-reserved-identifier)
#endif
#if defined(__AVX512F__)
extern "C" __m512 _ZGVeN16v_erff(__m512 x);   // NOLINT(bugprone-reserved-identifier)
extern "C" __m512 _ZGVeN16v_tanhf(__m512 x);  // NOLINT(bugprone-reserved-identifier)
#endif
