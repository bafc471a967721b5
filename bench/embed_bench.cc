// embed_bench: embeddings/s of an embedding model's GGUF file on the CPU backend, the
// engine alone (token ids in, pooled L2-normalized vectors out), for
// bench/embed_side_by_side.sh.
//
//   embed_bench --file F.gguf --texts texts.txt [--batch 32] [--threads 2]
//
// Reads one text per line and tokenizes them with the file's own tokenizer, then embeds
// them in Session::Embed calls of --batch texts, as the daemon's embed method does (a
// session of the daemon's defaults: the model's context, F16 KV cache). After one untimed
// call (llama-embedding warms up with an empty run too), every call is timed. Prints one
// JSON line: texts, tokens, batch, seconds, embeddings_per_s.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "backends/cpu/cpu_backend.h"
#include "common/log_to_stderr.h"
#include "engine/model/model_files.h"
#include "engine/runtime/session.h"
#include "engine/tokenizer/tokenizer.h"

namespace hfd::bench {
namespace {

struct Args {
  std::string file, texts;
  int batch = 32;
  int threads = 0;
};

// The daemon's default context; Session::Create caps it at the model's own.
constexpr int32_t kContext = 4096;

Result<std::vector<std::vector<int32_t>>> ReadTexts(const Args& args) {
  std::ifstream in(args.texts);
  if (!in) return NotFound("cannot read " + args.texts);
  HFD_ASSIGN_OR_RETURN(auto tokenizer, tok::Tokenizer::FromPath(args.file));
  std::vector<std::vector<int32_t>> ids;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) ids.push_back(tokenizer->Encode(line, /*add_special=*/true));
  }
  if (ids.empty()) return InvalidArgument(args.texts + " holds no texts");
  return ids;
}

Result<nlohmann::json> Run(const Args& args) {
  HFD_ASSIGN_OR_RETURN(const auto ids, ReadTexts(args));
  HFD_ASSIGN_OR_RETURN(auto files, model::OpenModelFiles(args.file));
  auto backend = cpu::CreateCpuBackend({args.threads, cpu::ActPrecision::kInt8});
  HFD_RETURN_IF_ERROR(backend->LoadWeights(*files));
  HFD_ASSIGN_OR_RETURN(
      auto session,
      runtime::Session::Create(*backend, *files, {kContext, kContext, runtime::KvType::kF16}));
  // Warm-up: compiles the graph and faults the weights in.
  HFD_RETURN_IF_ERROR(session->Embed(std::span(ids.data(), 1), /*normalize=*/true).status());
  int64_t tokens = 0;
  double seconds = 0;
  for (size_t first = 0; first < ids.size(); first += static_cast<size_t>(args.batch)) {
    const size_t count = std::min(ids.size() - first, static_cast<size_t>(args.batch));
    const std::span<const std::vector<int32_t>> batch(ids.data() + first, count);
    for (const auto& text : batch) tokens += static_cast<int64_t>(text.size());
    const auto start = std::chrono::steady_clock::now();
    HFD_RETURN_IF_ERROR(session->Embed(batch, /*normalize=*/true).status());
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  return nlohmann::json{{"texts", ids.size()},
                        {"tokens", tokens},
                        {"batch", args.batch},
                        {"seconds", seconds},
                        {"embeddings_per_s", static_cast<double>(ids.size()) / seconds}};
}

}  // namespace
}  // namespace hfd::bench

int main(int argc, char** argv) {
  hfd::LogToStderr("embed_bench");  // stdout carries the results
  hfd::bench::Args args;
  CLI::App app{"Embeddings/s of an embedding model on the CPU backend"};
  app.add_option("--file", args.file, "the embedding model's GGUF file")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--texts", args.texts, "a file of texts, one per line")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--batch", args.batch, "texts per embed call")->check(CLI::PositiveNumber);
  app.add_option("--threads", args.threads, "CPU threads (0: all cores)");
  CLI11_PARSE(app, argc, argv);
  const auto result = hfd::bench::Run(args);
  if (!result.ok()) {
    std::cerr << result.status().ToString() << "\n";
    return 1;
  }
  std::cout << result->dump() << "\n";
  return 0;
}
