#include "engine/tokenizer/gguf_bert.h"

#include <memory>

namespace hfd::tok {

Status ConfigureGgufBert(TokenizerModel& m) {
  m.kind = ModelKind::kWordPiece;
  m.wordpiece.word_prefix = "\xE2\x96\x81";  // U+2581 "▁"
  m.wordpiece.continuing_prefix.clear();
  auto normalizer = std::make_shared<Normalizer>();
  NormalizerStep bert;
  bert.op = NormalizerOp::kBert;
  normalizer->Add(std::move(bert));
  m.normalizer = std::move(normalizer);
  PreTokenizerPipeline pipeline;
  HFD_RETURN_IF_ERROR(AddBertSplits(pipeline));
  ChoosePreTokenizer(std::move(pipeline), m.pre, m.pipeline);
  return Status::Ok();
}

}  // namespace hfd::tok
