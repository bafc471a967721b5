// The per-call parameters a recorded command buffer reads at run time (RunParams):
// the position of the first token and the token ids. Bound at PARAMS_BINDING.
layout(std430, binding = PARAMS_BINDING) readonly buffer Params {
  uint p_pos;
  uint p_n_tokens;
  int p_tokens[];
};
