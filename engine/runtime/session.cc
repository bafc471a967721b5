#include "engine/runtime/session.h"

#include <algorithm>

#include <fmt/format.h>

#include "engine/model/model_files.h"
#include "engine/runtime/graph_builder.h"
#include "engine/runtime/pooling.h"

namespace hfd::runtime {

int32_t ClampedContext(const model::ModelDesc& desc, int32_t n_ctx) {
  if (desc.n_ctx_train > 0 && desc.n_ctx_train < n_ctx)
    return static_cast<int32_t>(desc.n_ctx_train);
  return n_ctx;
}

Result<std::unique_ptr<Session>> Session::Create(Backend& backend, const model::ModelFiles& files,
                                                 const SessionOptions& options) {
  if (options.n_ctx < 1 || options.prefill_batch < 1) {
    return InvalidArgument("a session needs a positive context size and prefill batch");
  }
  const model::ModelDesc& d = files.desc();
  const int32_t n_ctx = ClampedContext(d, options.n_ctx);
  const KvCacheDesc kv{static_cast<int32_t>(d.n_layer), n_ctx, static_cast<int32_t>(d.n_head_kv),
                       static_cast<int32_t>(d.head_dim), options.kv_type};
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<KvCache> cache, backend.AllocateKvCache(kv));
  return std::unique_ptr<Session>(
      new Session(backend, files, n_ctx, options.prefill_batch, d.n_vocab, std::move(cache)));
}

Session::Session(Backend& backend, const model::ModelFiles& files, int32_t n_ctx, int32_t batch,
                 int64_t n_vocab, std::unique_ptr<KvCache> cache)
    : backend_(backend),
      files_(files),
      n_ctx_(n_ctx),
      batch_(batch),
      n_vocab_(n_vocab),
      cache_(std::move(cache)),
      executables_(backend, files, *cache_, n_ctx, /*multi_sequence=*/false) {}

Session::~Session() = default;

template <typename OnChunk>
Status Session::RunChunks(Executable& exe, std::span<const int32_t> tokens, OnChunk&& on_chunk) {
  if (tokens.empty()) return InvalidArgument("no tokens to feed");
  if (pos_ + static_cast<int64_t>(tokens.size()) > n_ctx_) {
    return InvalidArgument(
        fmt::format("{} more tokens do not fit the context ({} of {} positions used); shorten the "
                    "prompt or raise the context size",
                    tokens.size(), pos_, n_ctx_));
  }
  const size_t step = static_cast<size_t>(exe.graph().max_tokens);
  for (size_t done = 0; done < tokens.size(); done += step) {
    const auto chunk = tokens.subspan(done, std::min(step, tokens.size() - done));
    HFD_ASSIGN_OR_RETURN(RunOutput out, backend_.Run(exe, {chunk, pos_}));
    pos_ += static_cast<int32_t>(chunk.size());
    on_chunk(out, chunk.size());
  }
  return Status::Ok();
}

Result<std::span<const float>> Session::Feed(std::span<const int32_t> tokens) {
  const int32_t max_tokens = tokens.size() == 1 ? 1 : batch_;
  HFD_ASSIGN_OR_RETURN(Executable * exe, executables_.For(max_tokens, GraphOutput::kLastLogits));
  std::span<const float> logits;
  HFD_RETURN_IF_ERROR(
      RunChunks(*exe, tokens, [&](const RunOutput& out, size_t) { logits = out.logits; }));
  return logits;
}

Result<std::vector<std::vector<float>>> Session::Embed(std::span<const std::vector<int32_t>> texts,
                                                       bool normalize) {
  const model::Pooling pooling = files_.desc().pooling;
  if (pooling == model::Pooling::kNone) {
    return Unsupported(
        fmt::format("model architecture {} has no pooling: it does not compute embeddings; use "
                    "an embedding model",
                    model::ArchitectureName(files_.desc().arch)));
  }
  for (const std::vector<int32_t>& text : texts) {
    if (text.empty()) return InvalidArgument("cannot embed an empty text");
    if (static_cast<int64_t>(text.size()) > n_ctx_) {
      return InvalidArgument(fmt::format(
          "a text of {} tokens is longer than the context of {}; shorten or truncate it",
          text.size(), n_ctx_));
    }
  }
  HFD_ASSIGN_OR_RETURN(Executable * exe, executables_.For(n_ctx_, GraphOutput::kAllHidden));
  pos_ = 0;
  std::vector<std::vector<float>> vectors;
  std::vector<int32_t> tokens, lens;
  for (size_t next = 0; next < texts.size();) {
    tokens.clear();
    lens.clear();
    while (next < texts.size() &&
           static_cast<int64_t>(tokens.size() + texts[next].size()) <= n_ctx_) {
      tokens.insert(tokens.end(), texts[next].begin(), texts[next].end());
      lens.push_back(static_cast<int32_t>(texts[next].size()));
      ++next;
    }
    HFD_ASSIGN_OR_RETURN(RunOutput out, backend_.Run(*exe, {tokens, 0, lens}));
    HFD_RETURN_IF_ERROR(PoolTexts(out.hidden, out.n_embd, lens, pooling, normalize, vectors));
  }
  return vectors;
}

Result<int32_t> Session::FeedGreedy(int32_t token) {
  HFD_ASSIGN_OR_RETURN(Executable * exe, executables_.For(1, GraphOutput::kLastArgmax));
  int32_t id = -1;
  HFD_RETURN_IF_ERROR(RunChunks(*exe, std::span<const int32_t>(&token, 1),
                                [&](const RunOutput& out, size_t) { id = out.argmax[0]; }));
  if (id < 0) return AllNanLogits();
  return id;
}

Result<TopLogits> Session::FeedTopLogits(int32_t token) {
  HFD_ASSIGN_OR_RETURN(Executable * exe, executables_.For(1, GraphOutput::kLastTopLogits));
  TopLogits top;
  HFD_RETURN_IF_ERROR(RunChunks(
      *exe, std::span<const int32_t>(&token, 1),
      [&](const RunOutput& out, size_t) { top = UnpackTopLogits(out.top_logits, kMaxTopLogits); }));
  if (top.ids.empty()) return AllNanLogits();
  return top;
}

Result<std::vector<float>> Session::FeedAll(std::span<const int32_t> tokens) {
  HFD_ASSIGN_OR_RETURN(Executable * exe, executables_.For(batch_, GraphOutput::kAllLogits));
  std::vector<float> all;
  all.reserve(tokens.size() * n_vocab_);
  HFD_RETURN_IF_ERROR(RunChunks(*exe, tokens, [&](const RunOutput& out, size_t) {
    all.insert(all.end(), out.logits.begin(), out.logits.end());
  }));
  return all;
}

Status Session::Rewind(int32_t pos) {
  if (pos < 0 || pos > pos_) {
    return InvalidArgument(
        fmt::format("cannot rewind to {}: the session holds {} positions", pos, pos_));
  }
  pos_ = pos;
  return Status::Ok();
}

}  // namespace hfd::runtime
