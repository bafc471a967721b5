#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora: small valid GGUF, safetensors and config.json files.
Run from this directory; the outputs are committed so builds need no Python."""
import json
import struct

def gguf_string(s):
    b = s.encode()
    return struct.pack('<Q', len(b)) + b

def gguf(kvs, tensors, version=3):
    out = b'GGUF' + struct.pack('<IQQ', version, len(tensors), len(kvs))
    for key, vtype, payload in kvs:
        out += gguf_string(key) + struct.pack('<I', vtype) + payload
    offset, data = 0, b''
    for name, ttype, shape, blob in tensors:
        out += gguf_string(name) + struct.pack('<I', len(shape))
        out += b''.join(struct.pack('<Q', d) for d in shape)
        out += struct.pack('<IQ', ttype, offset)
        padded = blob + b'\0' * (-len(blob) % 32)
        data += padded
        offset += len(padded)
    out += b'\0' * (-len(out) % 32)
    return out + data

U32, F32, BOOL, STRING, ARRAY = 4, 6, 7, 8, 9
llama_kvs = [
    ('general.architecture', STRING, gguf_string('llama')),
    ('llama.embedding_length', U32, struct.pack('<I', 32)),
    ('llama.block_count', U32, struct.pack('<I', 1)),
    ('llama.feed_forward_length', U32, struct.pack('<I', 32)),
    ('llama.attention.head_count', U32, struct.pack('<I', 2)),
    ('llama.rope.freq_base', F32, struct.pack('<f', 10000.0)),
    ('tokenizer.ggml.add_bos_token', BOOL, b'\x01'),
    ('tokenizer.ggml.tokens', ARRAY,
     struct.pack('<IQ', STRING, 3) + gguf_string('a') + gguf_string('b') + gguf_string('<s>')),
    ('tokenizer.ggml.scores', ARRAY, struct.pack('<IQ', F32, 3) + struct.pack('<3f', 0, -1, -2)),
    ('nested', ARRAY, struct.pack('<IQ', ARRAY, 1) + struct.pack('<IQ', STRING, 1) + gguf_string('x')),
]
q8_block = struct.pack('<H', 0x3c00) + bytes(range(32))
q4k_block = struct.pack('<HH', 0x3c00, 0x3800) + bytes(range(12)) + bytes(range(128))
tensors = [
    ('token_embd.weight', 0, [32, 2], b'\0' * 256),
    ('blk.0.attn_q.weight', 8, [32, 1], q8_block),
    ('blk.0.ffn_up.weight', 12, [256, 1], q4k_block),
    ('output_norm.weight', 30, [32], b'\x80\x3f' * 32),
]
with open('gguf/llama.gguf', 'wb') as f:
    f.write(gguf(llama_kvs, tensors))
with open('gguf/vocab_only_v2.gguf', 'wb') as f:
    f.write(gguf(llama_kvs[6:8], [], version=2))

def safetensors(header, data):
    text = json.dumps(header).encode()
    return struct.pack('<Q', len(text)) + text + data

with open('safetensors/two.safetensors', 'wb') as f:
    f.write(safetensors({'__metadata__': {'format': 'pt'},
                         'a': {'dtype': 'BF16', 'shape': [2, 3], 'data_offsets': [0, 12]},
                         'b': {'dtype': 'F32', 'shape': [2], 'data_offsets': [12, 20]}},
                        b'\0' * 20))
with open('safetensors/empty.safetensors', 'wb') as f:
    f.write(safetensors({}, b''))
with open('config/llama3.json', 'w') as f:
    json.dump({'model_type': 'llama', 'vocab_size': 100, 'hidden_size': 64,
               'num_hidden_layers': 2, 'num_attention_heads': 4, 'num_key_value_heads': 2,
               'intermediate_size': 128, 'rope_theta': 500000.0, 'eos_token_id': [1, 2],
               'rope_scaling': {'rope_type': 'llama3', 'factor': 8.0, 'low_freq_factor': 1.0,
                                'high_freq_factor': 4.0,
                                'original_max_position_embeddings': 8192}}, f)
with open('config/phi3-longrope.json', 'w') as f:
    json.dump({'model_type': 'phi3', 'vocab_size': 100, 'hidden_size': 64,
               'num_hidden_layers': 2, 'num_attention_heads': 4, 'num_key_value_heads': 2,
               'intermediate_size': 128, 'partial_rotary_factor': 0.75,
               'max_position_embeddings': 1024, 'original_max_position_embeddings': 64,
               'sliding_window': 32, 'hidden_act': 'silu',
               'rope_scaling': {'type': 'longrope', 'short_factor': [1.0, 1.5, 2.0, 2.5, 3.0, 3.5],
                                'long_factor': [2.0, 3.0, 4.0, 5.0, 6.0, 7.0]}}, f)
with open('config/yarn.json', 'w') as f:
    json.dump({'model_type': 'qwen2', 'vocab_size': 100, 'hidden_size': 64,
               'num_hidden_layers': 2, 'num_attention_heads': 4, 'intermediate_size': 128,
               'max_position_embeddings': 32768,
               'rope_scaling': {'type': 'yarn', 'factor': 4.0, 'beta_fast': 32, 'beta_slow': 1,
                                'mscale': 1.0, 'mscale_all_dim': 0.5,
                                'original_max_position_embeddings': 8192}}, f)
with open('config/gemma3-multimodal.json', 'w') as f:
    json.dump({'model_type': 'gemma3', 'eos_token_id': [1, 106],
               'text_config': {'model_type': 'gemma3_text', 'hidden_size': 64,
                               'intermediate_size': 128, 'num_hidden_layers': 7,
                               'sliding_window': 4,
                               'rope_scaling': {'rope_type': 'linear', 'factor': 8.0}},
               'vision_config': {'model_type': 'siglip_vision_model'}}, f)
with open('config/gemma3-layer-types.json', 'w') as f:
    json.dump({'model_type': 'gemma3_text', 'vocab_size': 100, 'hidden_size': 64,
               'num_hidden_layers': 4, 'num_attention_heads': 4, 'num_key_value_heads': 2,
               'head_dim': 16, 'intermediate_size': 128, 'sliding_window': 8,
               'layer_types': ['sliding_attention', 'full_attention'] * 2,
               'rope_parameters': {'full_attention': {'rope_type': 'linear', 'factor': 8.0,
                                                      'rope_theta': 1e6},
                                   'sliding_attention': {'rope_type': 'default',
                                                         'rope_theta': 1e4}}}, f)
with open('config/modules.json', 'w') as f:
    json.dump([{'idx': 0, 'name': '0', 'path': '', 'type': 'sentence_transformers.models.Transformer'},
               {'idx': 1, 'name': '1', 'path': '1_Pooling',
                'type': 'sentence_transformers.models.Pooling'}], f)
with open('config/pooling.json', 'w') as f:
    json.dump({'word_embedding_dimension': 384, 'pooling_mode_cls_token': False,
               'pooling_mode_mean_tokens': True, 'pooling_mode_max_tokens': False,
               'pooling_mode_lasttoken': False}, f)
with open('config/qwen2moe.json', 'w') as f:
    json.dump({'model_type': 'qwen2_moe', 'vocab_size': 64, 'hidden_size': 32,
               'intermediate_size': 64, 'num_hidden_layers': 1, 'num_attention_heads': 2,
               'num_key_value_heads': 1, 'num_experts': 4, 'num_experts_per_tok': 2,
               'moe_intermediate_size': 16, 'shared_expert_intermediate_size': 48,
               'norm_topk_prob': False, 'decoder_sparse_step': 1, 'mlp_only_layers': []}, f)
with open('config/expert-name.txt', 'w') as f:
    f.write('model.layers.12.block_sparse_moe.experts.7.w2.weight')
