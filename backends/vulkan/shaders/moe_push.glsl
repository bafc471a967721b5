// The push constants of the indexed-expert matmuls (mul_mat_vec.comp and mul_mat.comp
// built with MOE; Kernels::MoeMatMul): the dense kernels' fields, then where a (token,
// slot) pair finds its expert, its input and its output. A dispatch covers the experts of
// one weight chunk: [first_expert, first_expert + experts).
layout(push_constant) uniform Push {
  uint ncols;         // row length (elements)
  uint row_stride;    // in dequant_unit's address unit (weight_codec.glsl)
  uint nrows;         // rows of one expert
  uint out_row0;      // unused (0): the dense kernels' field, kept for one field order
  uint x_stride;      // elements between tokens in x
  uint y_stride;      // elements between pairs in y (the rows of one expert)
  uint ntok;
  uint top_k;         // slots per token
  uint slot_stride;   // elements between the slots' inputs in a token's row; 0: shared
  uint first_expert;  // the chunk's first expert
  uint experts;       // experts in the chunk
  uint n_expert;      // experts of the whole matrix (the group index's layout)
} pc;

// Where pair `pair`'s input row starts in x.
uint moe_x_row(uint pair) {
  return (pair / pc.top_k) * pc.x_stride + (pair % pc.top_k) * pc.slot_stride;
}
