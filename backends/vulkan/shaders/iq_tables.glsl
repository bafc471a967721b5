// IQ4_NL's 16 levels (GGML's published constants, as engine/quant/iq_tables.h). Guarded:
// weight_pair.glsl may include two decoders that both need them, and the table reads no
// weight buffer, so one copy serves both.
#ifndef HFD_IQ_TABLES
#define HFD_IQ_TABLES

const int kIq4NlLevels[16] =
    int[](-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113);

#endif
