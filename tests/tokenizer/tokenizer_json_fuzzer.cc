// libFuzzer target: loading tokenizer.json (and its config files) from arbitrary bytes,
// and encoding arbitrary bytes (invalid UTF-8 included), alone and as a pair, with a fixed
// tokenizer. Neither may crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "engine/tokenizer/tokenizer.h"
#include "tests/tokenizer/tiny_tokenizers.h"

namespace {

void EncodeAndDecode(const hfd::tok::Tokenizer& t, std::string_view text) {
  const std::vector<int32_t> ids = t.Encode(text, true);
  (void)t.Decode(ids);
  hfd::tok::StreamDecoder stream(t);
  for (int32_t id : ids) (void)stream.Push(id);
  (void)stream.Flush();
  // The post-processor's pair template, with and without its special tokens.
  for (bool add_special : {true, false}) {
    auto pair = t.EncodePair(text, "abc", add_special);
    if (pair.ok() && pair->ids.size() != pair->type_ids.size()) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto byte_level =
      hfd::tok::Tokenizer::FromJson(hfd::tok::testing::TinyByteLevelJson(), "", "");
  static const auto sentence_piece =
      hfd::tok::Tokenizer::FromJson(hfd::tok::testing::TinySentencePieceJson(), "", "");
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (input.empty()) return 0;
  // The first byte picks what the rest is.
  const std::string_view rest = input.substr(1);
  switch (static_cast<uint8_t>(input[0]) % 4) {
    case 0: {
      auto t = hfd::tok::Tokenizer::FromJson(rest, "", "");
      if (t.ok()) EncodeAndDecode(**t, "Hello, world! 12345 \xC3\xA9\xFF");
      break;
    }
    case 1: {
      auto t = hfd::tok::Tokenizer::FromJson(hfd::tok::testing::TinyByteLevelJson(), rest, rest);
      if (t.ok()) EncodeAndDecode(**t, "abc");
      break;
    }
    case 2:
      EncodeAndDecode(**byte_level, rest);
      break;
    default:
      EncodeAndDecode(**sentence_piece, rest);
      break;
  }
  return 0;
}
