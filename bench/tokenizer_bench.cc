// Tokenizer speed: load time of each fixture tokenizer and Encode/Decode throughput on
// 1 MiB of English text. Prints JSON lines, then a table.
//
// Corpus: the licence texts in /usr/share/common-licenses (GPL-3, Apache-2.0, ...; the
// files say they may be copied verbatim), concatenated and repeated to 1 MiB, or any
// file given (e.g. the repo's own sources for code, fortunes-zh's
// /usr/share/games/fortunes/tang300 for Chinese). The tokenizer caches words only within
// one Encode call, so repetition flatters it little.
//
//   build/<dir>/bench/tokenizer_bench [fixtures_dir] [corpus_file]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/tokenizer/tokenizer.h"

namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string MakeCorpus(const std::string& file, size_t size) {
  std::string seed;
  if (!file.empty()) {
    seed = ReadAll(file);
  } else {
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/usr/share/common-licenses", ec)) {
      if (e.is_regular_file()) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) seed += ReadAll(f);
  }
  if (seed.empty()) {
    std::fprintf(stderr, "no corpus text found\n");
    std::exit(1);
  }
  std::string corpus;
  while (corpus.size() < size) corpus += seed;
  corpus.resize(size);
  return corpus;
}

// Process CPU time: on a shared, loaded machine it says more about the code than wall time.
double CpuMs() { return 1000.0 * static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

struct Row {
  std::string name;
  double load_ms;
  double load_cpu_ms;
  double encode_ms;
  size_t tokens;
  double decode_ms;
};

struct Timing {
  double wall_ms = 1e30;
  double cpu_ms = 1e30;
};

// The best wall and CPU times of `runs` calls.
template <typename F>
Timing BestOf(int runs, F f) {
  Timing best;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    const double cpu_start = CpuMs();
    f();
    best.wall_ms = std::min(best.wall_ms, MsSince(start));
    best.cpu_ms = std::min(best.cpu_ms, CpuMs() - cpu_start);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const char* env = std::getenv("HFD_FIXTURES");
  const std::filesystem::path fixtures =
      argc > 1 ? argv[1] : (env ? env : HFD_BENCH_FIXTURES_DEFAULT);
  const std::string corpus = MakeCorpus(argc > 2 ? argv[2] : "", 1 << 20);
  const std::pair<const char*, std::filesystem::path> sources[] = {
      {"llama2-hf", fixtures / "models/tiny-llama2"},
      {"llama3-hf", fixtures / "models/tiny-llama3"},
      {"qwen2-hf", fixtures / "models/tiny-qwen2"},
      {"llama2-gguf", fixtures / "gguf/tiny-llama2-Q4_K_M.gguf"},
      {"llama3-gguf", fixtures / "gguf/tiny-llama3-Q8_0.gguf"},
      {"qwen2-gguf", fixtures / "gguf/tiny-qwen2-Q8_0.gguf"},
      {"gpt2-gguf", fixtures / "vocab/ggml-vocab-gpt-2.gguf"},
      // Pre-tokenizers without a hand-written matcher: PCRE2 pipelines.
      {"deepseek-llm-gguf", fixtures / "vocab/ggml-vocab-deepseek-llm.gguf"},
      {"refact-gguf", fixtures / "vocab/ggml-vocab-refact.gguf"},
      // WordPiece with BertNormalizer (lowercase, accents stripped, CJK spaced).
      {"bert-bge-gguf", fixtures / "vocab/ggml-vocab-bert-bge.gguf"},
      // Unigram: sentencepiece models trained for the tests (tests/tokenizer/testdata).
      {"unigram-hf", std::filesystem::path(HFD_BENCH_UNIGRAM_DIR) / "unigram-byte-fallback.json"},
      {"t5-gguf", std::filesystem::path(HFD_BENCH_UNIGRAM_DIR) / "t5-nfkc.gguf"},
  };
  std::vector<Row> rows;
  for (const auto& source : sources) {
    // Plain names, not structured bindings: lambdas below capture them (clang 14).
    const char* name = source.first;
    const std::filesystem::path& path = source.second;
    std::unique_ptr<hfd::tok::Tokenizer> tokenizer;
    const Timing load = BestOf(3, [&] {
      auto t = path.extension() == ".json" ? hfd::tok::Tokenizer::FromJson(ReadAll(path), "", "")
                                           : hfd::tok::Tokenizer::FromPath(path);
      if (!t.ok()) {
        std::fprintf(stderr, "%s: %s\n", name, t.status().ToString().c_str());
        std::exit(1);
      }
      tokenizer = std::move(t).value();
    });
    std::vector<int32_t> ids;
    const double encode_ms = BestOf(3, [&] { ids = tokenizer->Encode(corpus, false); }).wall_ms;
    std::string text;
    const double decode_ms = BestOf(3, [&] { text = tokenizer->Decode(ids); }).wall_ms;
    rows.push_back({name, load.wall_ms, load.cpu_ms, encode_ms, ids.size(), decode_ms});
    std::printf(
        "{\"bench\":\"tokenizer\",\"tokenizer\":\"%s\",\"load_ms\":%.1f,\"load_cpu_ms\":%.1f,"
        "\"corpus_bytes\":%zu,\"encode_ms\":%.1f,\"tokens\":%zu,\"encode_mib_per_s\":%.1f,"
        "\"decode_ms\":%.1f,\"round_trip\":%s}\n",
        name, load.wall_ms, load.cpu_ms, corpus.size(), encode_ms, ids.size(),
        corpus.size() / 1048576.0 / (encode_ms / 1000.0), decode_ms,
        text == corpus ? "true" : "false");
  }
  std::printf("\n%-17s %9s %12s %11s %9s %10s %10s\n", "tokenizer", "load ms", "load cpu ms",
              "encode ms", "tokens", "MiB/s", "decode ms");
  for (const Row& r : rows) {
    std::printf("%-17s %9.1f %12.1f %11.1f %9zu %10.1f %10.1f\n", r.name.c_str(), r.load_ms,
                r.load_cpu_ms, r.encode_ms, r.tokens, 1.0 / (r.encode_ms / 1000.0), r.decode_ms);
  }
  return 0;
}
