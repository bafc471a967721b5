# Compiles backends/vulkan/shaders/*.comp (and their per-type variants) to SPIR-V and
# embeds them in one generated .cc. Sets HFD_VK_SHADER_EMBED_CC.
set(shader_dir ${CMAKE_CURRENT_SOURCE_DIR}/shaders)
set(spv_dir ${CMAKE_CURRENT_BINARY_DIR}/spv)
file(MAKE_DIRECTORY ${spv_dir})
file(GLOB shader_includes CONFIGURE_DEPENDS ${shader_dir}/*.glsl)

set(HFD_VK_SPV_FILES "")
set(HFD_VK_SPV_NAMES "")

# hfd_vk_shader(<name> <source.comp> [DEFINES...]) -> ${spv_dir}/<name>.spv
function(hfd_vk_shader name source)
  set(defines "")
  foreach(d ${ARGN})
    list(APPEND defines -D${d})
  endforeach()
  set(out ${spv_dir}/${name}.spv)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${HFD_GLSLANG} --target-env vulkan1.2 -V --quiet ${defines}
            -I${shader_dir} -o ${out} ${shader_dir}/${source}
    DEPENDS ${shader_dir}/${source} ${shader_includes}
    COMMENT "glslang ${name}"
    VERBATIM)
  set(HFD_VK_SPV_FILES ${HFD_VK_SPV_FILES} ${out} PARENT_SCOPE)
  set(HFD_VK_SPV_NAMES ${HFD_VK_SPV_NAMES} ${name} PARENT_SCOPE)
endfunction()

# Weight types: the variant suffix and the define that selects its dequantizer.
set(weight_types f32 f16 bf16 q8_0 q4_0 q4_1 q5_0 q5_1 q4_k q5_k q6_k q2_k q3_k iq4_nl iq4_xs
                 iq3_xxs iq3_s mxfp4)
foreach(t ${weight_types})
  string(TOUPPER ${t} T)
  hfd_vk_shader(mul_mat_vec_${t} mul_mat_vec.comp WTYPE_${T}=1)
  hfd_vk_shader(mul_mat_vec_bias_${t} mul_mat_vec.comp WTYPE_${T}=1 BIAS=1)
  hfd_vk_shader(mul_mat_vec_glu_${t} mul_mat_vec.comp WTYPE_${T}=1 GLU=1)
  hfd_vk_shader(mul_mat_${t} mul_mat.comp WTYPE_${T}=1)
  hfd_vk_shader(mul_mat_coopmat_${t} mul_mat_coopmat.comp WTYPE_${T}=1)
  hfd_vk_shader(get_rows_${t} get_rows.comp WTYPE_${T}=1)
  # The indexed-expert matmuls (mixture-of-experts): decode and grouped prefill.
  hfd_vk_shader(mul_mat_vec_moe_${t} mul_mat_vec.comp WTYPE_${T}=1 MOE=1)
  hfd_vk_shader(mul_mat_vec_glu_moe_${t} mul_mat_vec.comp WTYPE_${T}=1 GLU=1 MOE=1)
  # The same with per-expert biases on the gate and up products (gpt-oss).
  hfd_vk_shader(mul_mat_vec_glu_moe_bias_${t} mul_mat_vec.comp WTYPE_${T}=1 GLU=1 MOE=1
                EXPERT_BIAS=1)
  hfd_vk_shader(mul_mat_moe_${t} mul_mat.comp WTYPE_${T}=1 MOE=1)
endforeach()
foreach(op copy add add_bias swiglu geglu gelu scale softcap rms_norm add_rms_norm rope kv_store rope_kv_store attention
           attention_merge argmax top_logits moe_route moe_group moe_weighted_sum sigmoid_gate
           clamped_swiglu)
  hfd_vk_shader(${op} ${op}.comp)
endforeach()
# The KV cache's F32 variants (the default is F16).
foreach(op kv_store rope_kv_store attention)
  hfd_vk_shader(${op}_f32 ${op}.comp KV_F32=1)
endforeach()
# Split attention (flash-decoding) for both cache types.
hfd_vk_shader(attention_split attention.comp SPLIT=1)
hfd_vk_shader(attention_split_f32 attention.comp SPLIT=1 KV_F32=1)
# Multi-sequence calls (RunParams::seqs): positions per token, K/V through block tables.
hfd_vk_shader(rope_paged rope.comp PAGED=1)
hfd_vk_shader(last_rows last_rows.comp)
foreach(op kv_store rope_kv_store attention)
  hfd_vk_shader(${op}_paged ${op}.comp PAGED=1)
  hfd_vk_shader(${op}_paged_f32 ${op}.comp PAGED=1 KV_F32=1)
endforeach()
hfd_vk_shader(attention_split_paged attention.comp SPLIT=1 PAGED=1)
hfd_vk_shader(attention_split_paged_f32 attention.comp SPLIT=1 PAGED=1 KV_F32=1)
# Attention with gpt-oss's sinks: whole (both cache types) and the split parts' merge (the
# parts themselves do not change).
hfd_vk_shader(attention_sinks attention.comp SINKS=1)
hfd_vk_shader(attention_sinks_f32 attention.comp SINKS=1 KV_F32=1)
hfd_vk_shader(attention_merge_sinks attention_merge.comp SINKS=1)
# Both: gpt-oss in a multi-sequence call (the split parts are the plain paged ones).
hfd_vk_shader(attention_sinks_paged attention.comp SINKS=1 PAGED=1)
hfd_vk_shader(attention_sinks_paged_f32 attention.comp SINKS=1 PAGED=1 KV_F32=1)
# Per-expert biases, for the float types biases are stored in.
foreach(t f32 f16 bf16)
  string(TOUPPER ${t} T)
  hfd_vk_shader(moe_add_bias_${t} moe_add_bias.comp WTYPE_${T}=1)
endforeach()

set(HFD_VK_SHADER_EMBED_CC ${CMAKE_CURRENT_BINARY_DIR}/shaders_embedded.cc)
add_custom_command(
  OUTPUT ${HFD_VK_SHADER_EMBED_CC}
  COMMAND ${CMAKE_COMMAND} "-DNAMES=${HFD_VK_SPV_NAMES}" -DSPV_DIR=${spv_dir}
          -DOUT=${HFD_VK_SHADER_EMBED_CC} -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/EmbedSpirv.cmake
  DEPENDS ${HFD_VK_SPV_FILES} ${CMAKE_CURRENT_SOURCE_DIR}/cmake/EmbedSpirv.cmake
  COMMENT "Embedding SPIR-V"
  VERBATIM)
