// The KV cache's element type: IEEE halves by default, floats when compiled with
// KV_F32 (the *_f32 variants of kv_store and attention). Shaders bind the cache as
// arrays of kv_t and convert with to_kv / from_kv.
#ifdef KV_F32
#define kv_t float
kv_t to_kv(float f) { return f; }
float from_kv(kv_t x) { return x; }
#else
#define kv_t uint16_t
kv_t to_kv(float f) { return uint16_t(packHalf2x16(vec2(f, 0.0)) & 0xffffu); }
float from_kv(kv_t x) { return unpackHalf2x16(uint(x)).x; }
#endif
