// The per-call parameters a recorded command buffer reads at run time (RunParams):
// the position of the first token, the token ids, then for each token where its text
// begins and ends within the call (RunParams::seq_lens; one text: 0 and n_tokens), as
// ints after the ids. Bound at PARAMS_BINDING.
layout(std430, binding = PARAMS_BINDING) readonly buffer Params {
  uint p_pos;
  uint p_n_tokens;
  int p_tokens[];
};

// Token t's text: its first token and one past its last, as indices of this call.
uint text_begin(uint t) { return uint(p_tokens[p_n_tokens + t]); }
uint text_end(uint t) { return uint(p_tokens[2u * p_n_tokens + t]); }
