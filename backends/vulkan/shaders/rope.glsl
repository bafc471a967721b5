// What rope.comp and rope_kv_store.comp share: the scaling push constants and the
// frequency of a pair in a call. Dynamic NTK scales the base by the call's end position
// as DynamicNtkBaseScale does (engine/runtime/rope_freqs.h); the other scalings are
// already in the frequency table.

// Frequency of pair i of the head_dim rotated dimensions for a call whose positions end at
// end_pos.
float rope_freq(float base_freq, uint i, uint head_dim, uint end_pos, float ntk_factor,
                uint ntk_original_ctx) {
  if (ntk_factor <= 0.0 || end_pos <= ntk_original_ctx) return base_freq;
  float grown = ntk_factor * float(end_pos) / float(ntk_original_ctx) - (ntk_factor - 1.0);
  float base_scale = pow(grown, float(head_dim) / float(head_dim - 2u));
  return base_freq * pow(base_scale, -2.0 * float(i) / float(head_dim));
}
