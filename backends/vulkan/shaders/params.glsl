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

#ifdef PAGED
// Multi-sequence calls (RunParams::seqs; the *_paged variants) go on with, per token, its
// position in its sequence, one past the last position its sequence reaches in this call,
// and where its sequence's block table starts in p_tokens; then the KV block size; per
// sequence the index of its last token in the call; then the block tables (pool blocks).
uint token_pos(uint t) { return uint(p_tokens[3u * p_n_tokens + t]); }
uint token_end(uint t) { return uint(p_tokens[4u * p_n_tokens + t]); }
uint seq_last(uint s) { return uint(p_tokens[6u * p_n_tokens + 1u + s]); }
// The cache row holding position p of token t's sequence.
uint kv_row(uint t, uint p) {
  uint block_size = uint(p_tokens[6u * p_n_tokens]);
  uint table = uint(p_tokens[5u * p_n_tokens + t]);
  return uint(p_tokens[table + p / block_size]) * block_size + p % block_size;
}
#endif
