// Grid point i of an IQ3 tensor: the words from 0 of its weight buffer hold the grid
// (DeviceTensor::Codebook), one 32-bit point in two 16-bit words.
#include "iq_tables.glsl"

uint iq3_grid_point(uint i) { return w_word(2u * i) | (w_word(2u * i + 1u) << 16); }
