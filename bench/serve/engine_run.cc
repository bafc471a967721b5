#include "bench/serve/engine_run.h"

#include <algorithm>

#include "backends/select/backend_select.h"
#include "engine/runtime/generator.h"

namespace hfd::bench {

Result<std::unique_ptr<Engine>> LoadEngine(const std::string& path, const std::string& backend) {
  auto e = std::make_unique<Engine>();
  HFD_ASSIGN_OR_RETURN(e->files, model::OpenModelFiles(path));
  HFD_ASSIGN_OR_RETURN(e->tokenizer, tok::Tokenizer::FromPath(path));
  HFD_ASSIGN_OR_RETURN(const backends::BackendKind kind, backends::ParseBackendKind(backend));
  backends::BackendRequest request;
  request.kind = kind;
  HFD_ASSIGN_OR_RETURN(backends::SelectedBackend selected, backends::SelectBackend(request));
  e->backend = std::move(selected.backend);
  HFD_RETURN_IF_ERROR(e->backend->LoadWeights(*e->files));
  HFD_ASSIGN_OR_RETURN(
      e->session,
      runtime::Session::Create(*e->backend, *e->files, {kBenchCtx, 128, runtime::KvType::kF16}));
  return e;
}

Result<Run> EngineRun(Engine& e, std::vector<int32_t> prompt, int tokens) {
  const auto start = Clock::now();
  HFD_RETURN_IF_ERROR(e.session->Rewind(0));
  runtime::GenerateRequest request;
  request.prompt = std::move(prompt);
  request.eos_ids = e.tokenizer->eos_ids();
  request.params.temperature = 0.0f;
  request.params.max_tokens = tokens;
  HFD_ASSIGN_OR_RETURN(
      auto result, runtime::Generate(*e.session, *e.tokenizer, request,
                                     [](std::string_view, int32_t, const runtime::TokenLogprobs*) {
                                       return true;
                                     }));
  const double prefill = Since(start) - result.decode_seconds;
  const int n = static_cast<int>(result.tokens.size());
  return Run{prefill, result.DecodeRate(), n, prefill};
}

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

}  // namespace hfd::bench
