// engine_bench: llama-bench's tests (pp128, pp512, tg64, tg128) on synthetic models of
// real shapes, with the machine's read bandwidth measured in the same run and decode
// efficiency = weight bytes read per token × tokens/s ÷ bandwidth.
//
//   engine_bench [--shape tinyllama-1.1b] [--type Q4_K_M,Q8_0,Q4_0,F16] [--threads 0]
//                [--vocab-from vocab.gguf]
//                [--dir /tmp/hfd-bench-models] [--reps 2] [--json out.jsonl]
//   engine_bench --file a.gguf,b.gguf [--threads 0] [--reps 2]   (existing files, as they are)
//   engine_bench --file a.gguf --tests none --batch 1,2,4,8 [--batch-prompt 128]
//                [--batch-gen 64]   (continuous batching: aggregate decode tokens/s of N
//                sequences decoded together, llama-batched-bench's S_TG)
//   engine_bench --file a.gguf --tests none --ttft-chunks 64,256,0 [--ttft-prompt 512]
//                [--ttft-streams 4]   (chunked prefill: a new prompt's time to first token
//                and the worst token gap of the streams decoding meanwhile; 0 = no chunking)
//
// Each (shape, type) runs in a child process so its peak RSS is its own. Prints a table;
// every result is also one JSON line (stdout with --json -, or appended to a file).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "backends/cpu/cpu_backend.h"
#include "bench/bandwidth/memory_bandwidth.h"
#include "bench/batched_decode.h"
#include "bench/synthetic_model.h"
#include "bench/ttft_gap.h"
#include "common/log_to_stderr.h"
#include "engine/model/model_files.h"
#include "engine/model/synthetic_gguf.h"
#include "engine/runtime/graph_builder.h"
#include "engine/runtime/session.h"

namespace hfd::bench {
namespace {

struct Args {
  std::vector<std::string> shapes = {"tinyllama-1.1b"};
  std::vector<std::string> types = {"Q4_K_M", "Q8_0", "Q4_0", "F16"};
  std::vector<std::string> files;
  int threads = 0;
  std::string activations = "int8";
  std::string dir = "/tmp/hfd-bench-models";
  int reps = 2;
  std::vector<std::string> tests = {"pp128", "pp512", "tg64", "tg128"};
  std::string json;
  std::string vocab_from;  // a GGUF vocabulary to give synthetic models (llama.cpp loads them)
  std::vector<int> batch;  // sequence counts for the batched decode test; empty: none
  int batch_prompt = 128;  // prompt tokens per sequence before the batched decode
  int batch_gen = 64;      // decode steps timed
  std::vector<int> ttft_chunks;  // chunk sizes for the TTFT/gap test (0: none); empty: no test
  int ttft_prompt = 512;
  int ttft_streams = 4;
};

bool Wanted(const Args& args, const std::string& test) {
  return std::find(args.tests.begin(), args.tests.end(), test) != args.tests.end();
}

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Bytes of weights one decode step reads: every matrix the graph multiplies by (of a
// mixture of experts, the top_k experts a token is routed to), plus one embedding row.
int64_t WeightBytesPerToken(const model::ModelFiles& files) {
  auto graph = runtime::BuildGraph(files, {1, runtime::GraphOutput::kLastArgmax});
  if (!graph.ok()) return 0;
  int64_t bytes = 0;
  for (const runtime::Op& op : graph->ops) {
    if (op.kind != runtime::OpKind::kMatMul && op.kind != runtime::OpKind::kMoeMatMul) continue;
    const runtime::WeightRef& w = graph->weights[op.weight];
    const int64_t rows = w.shape.size() > 1 ? w.shape[1] : 1;  // Qwen2-MoE's gate is a vector
    const int64_t matrices = op.kind == runtime::OpKind::kMoeMatMul ? op.moe.top_k : 1;
    bytes += RowBytes(w.type, w.shape[0]) * rows * matrices;
  }
  return bytes;
}

// Best of `reps` runs of `fn`, which returns seconds for `n` tokens; tokens/s.
template <typename Fn>
Result<double> BestRate(int reps, int n, Fn&& fn) {
  double best = 0.0;
  for (int r = 0; r < reps; ++r) {
    HFD_ASSIGN_OR_RETURN(double seconds, fn());
    best = std::max(best, n / seconds);
  }
  return best;
}

// Aggregate decode tokens/s of `n_seqs` sequences decoded together, each with its own
// random prompt of args.batch_prompt tokens.
Result<double> BatchedDecodeRate(const Args& args, runtime::Backend& backend,
                                 const model::ModelFiles& files, int n_seqs) {
  std::vector<std::vector<int32_t>> prompts;
  for (int s = 0; s < n_seqs; ++s) {
    prompts.push_back(model::RandomTokens(args.batch_prompt, files.desc().n_vocab,
                                          static_cast<uint32_t>(args.batch_prompt + s)));
  }
  return bench::BatchedDecodeRate(backend, files, prompts, args.batch_gen);
}

// Runs one model and returns its JSON result.
Result<nlohmann::json> BenchModel(const Args& args, const BenchTarget& target) {
  const std::string& name = target.name;
  const std::string& type = target.type;
  const std::filesystem::path& path = target.path;
  HFD_RETURN_IF_ERROR(EnsureWritten(target, args.vocab_from));
  const double load_start = Now();
  HFD_ASSIGN_OR_RETURN(auto files, model::OpenModelFiles(path));
  auto backend = cpu::CreateCpuBackend({args.threads, args.activations == "int8x2"
                                                          ? cpu::ActPrecision::kInt8x2
                                                          : cpu::ActPrecision::kInt8});
  HFD_RETURN_IF_ERROR(backend->LoadWeights(*files));
  HFD_ASSIGN_OR_RETURN(
      auto session, runtime::Session::Create(*backend, *files, {1024, 512, runtime::KvType::kF16}));
  const double load_seconds = Now() - load_start;
  const int64_t vocab = files->desc().n_vocab;

  nlohmann::json out = {{"model", name},
                        {"type", type},
                        {"file_bytes", std::filesystem::file_size(path)},
                        {"backend", backend->device_description()},
                        {"load_seconds", load_seconds}};
  // Warm-up: compiles the graphs and faults the weights in.
  HFD_RETURN_IF_ERROR(session->Feed(model::RandomTokens(16, vocab, 16)).status());
  HFD_RETURN_IF_ERROR(session->FeedGreedy(1).status());

  for (int n : {128, 512}) {
    if (!Wanted(args, fmt::format("pp{}", n))) continue;
    const std::vector<int32_t> prompt = model::RandomTokens(n, vocab, static_cast<uint32_t>(n));
    HFD_ASSIGN_OR_RETURN(double rate, BestRate(args.reps, n, [&]() -> Result<double> {
                           HFD_RETURN_IF_ERROR(session->Rewind(0));
                           const double t0 = Now();
                           HFD_RETURN_IF_ERROR(session->Feed(prompt).status());
                           return Now() - t0;
                         }));
    out[fmt::format("pp{}", n)] = rate;
  }
  const int64_t bytes_per_token = WeightBytesPerToken(*files);
  for (int n : {64, 128}) {
    if (!Wanted(args, fmt::format("tg{}", n))) continue;
    HFD_ASSIGN_OR_RETURN(double rate, BestRate(args.reps, n, [&]() -> Result<double> {
                           HFD_RETURN_IF_ERROR(session->Rewind(0));
                           int32_t next = 1;
                           const double t0 = Now();
                           for (int i = 0; i < n; ++i) {
                             HFD_ASSIGN_OR_RETURN(next, session->FeedGreedy(next));
                           }
                           return Now() - t0;
                         }));
    out[fmt::format("tg{}", n)] = rate;
  }
  for (int n_seqs : args.batch) {
    double best = 0.0;
    for (int r = 0; r < args.reps; ++r) {
      HFD_ASSIGN_OR_RETURN(double rate, BatchedDecodeRate(args, *backend, *files, n_seqs));
      best = std::max(best, rate);
    }
    out["batch_tg"][std::to_string(n_seqs)] = best;
  }
  for (int chunk : args.ttft_chunks) {
    HFD_ASSIGN_OR_RETURN(nlohmann::json r, MeasureTtftGap(*backend, *files,
                                                          {.streams = args.ttft_streams,
                                                           .prompt = args.ttft_prompt,
                                                           .chunk_tokens = chunk}));
    out["ttft_gap"].push_back(std::move(r));
  }
  // Peak RSS of the model run itself, before the bandwidth test's buffer is allocated.
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  out["peak_rss_mib"] = usage.ru_maxrss / 1024.0;
  out["kv_cache_mib"] = session->kv_cache_bytes() / 1048576.0;

  cpu::ThreadPool bandwidth_pool(args.threads);
  const BandwidthResult bw = MeasureReadBandwidth(bandwidth_pool, int64_t{1} << 30, 5);
  const double bandwidth = bw.best_gbps * 1e9;
  out["weight_bytes_per_token"] = bytes_per_token;
  out["bandwidth_gbs"] = bw.best_gbps;
  out["bandwidth_median_gbs"] = bw.median_gbps;
  if (out.contains("tg64")) {
    out["tg64_efficiency"] = out["tg64"].get<double>() * bytes_per_token / bandwidth;
  }
  return out;
}

// Runs BenchModel in a child process; its JSON comes back through a pipe.
nlohmann::json BenchInChild(const Args& args, const BenchTarget& target) {
  const std::string& name = target.name;
  const std::string& type = target.type;
  int fds[2];
  if (pipe(fds) != 0) return {{"model", name}, {"type", type}, {"error", "pipe failed"}};
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    auto result = BenchModel(args, target);
    const std::string text =
        result.ok()
            ? result->dump()
            : nlohmann::json{{"model", name}, {"type", type}, {"error", result.status().ToString()}}
                  .dump();
    (void)!write(fds[1], text.data(), text.size());
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (text.empty()) return {{"model", name}, {"type", type}, {"error", "child crashed"}};
  return nlohmann::json::parse(text, nullptr, false);
}

void PrintRow(const nlohmann::json& r) {
  if (r.contains("error")) {
    fmt::print("{:<16} {:<7} error: {}\n", r.value("model", ""), r.value("type", ""),
               r["error"].get<std::string>());
    return;
  }
  // A test that was not run shows as "-".
  auto field = [&](const char* key, int width, int precision) {
    return r.contains(key) ? fmt::format("{:>{}.{}f}", r[key].get<double>(), width, precision)
                           : fmt::format("{:>{}}", "-", width);
  };
  fmt::print("{:<16} {:<7} {} {} {} {} {} {} {}\n", r["model"].get<std::string>(),
             r["type"].get<std::string>(), field("pp128", 8, 1), field("pp512", 8, 1),
             field("tg64", 7, 1), field("tg128", 7, 1), field("bandwidth_gbs", 9, 1),
             field("tg64_efficiency", 6, 2), field("peak_rss_mib", 9, 0));
  for (const auto& t : r.value("ttft_gap", nlohmann::json::array())) {
    fmt::print(
        "  chunk {:>4}: new prompt's TTFT {:.0f} ms; streams' worst gap {:.0f} ms "
        "(median gap before {:.0f} ms)\n",
        t["chunk_tokens"].get<int>(), t["ttft_ms"].get<double>(), t["worst_gap_ms"].get<double>(),
        t["median_gap_before_ms"].get<double>());
  }
  if (r.contains("batch_tg")) {
    for (const auto& [n_seqs, rate] : r["batch_tg"].items()) {
      fmt::print("  {} sequences decoded together: {:.1f} tokens/s in all\n", n_seqs,
                 rate.get<double>());
    }
  }
}

}  // namespace
}  // namespace hfd::bench

int main(int argc, char** argv) {
  hfd::LogToStderr("engine_bench");  // stdout carries the results
  using namespace hfd::bench;
  Args args;
  CLI::App app{"Engine speed on synthetic models (llama-bench's pp/tg tests)"};
  app.add_option("--shape", args.shapes,
                 "tinyllama-1.1b, llama-3.2-1b, qwen2.5-0.5b, gemma-2-2b, phi-3-mini, ...")
      ->delimiter(',');
  app.add_option("--type", args.types, "F16, Q8_0, Q4_0, Q4_K_M")->delimiter(',');
  app.add_option("--threads", args.threads, "CPU threads (0: all cores)");
  app.add_option("--activations", args.activations,
                 "int8 (default) or int8x2: how finely quantized weights' inputs are quantized")
      ->check(CLI::IsMember({"int8", "int8x2"}));
  app.add_option("--dir", args.dir, "where synthetic models are written and reused");
  app.add_option("--reps", args.reps, "repetitions per test (the best is reported)");
  app.add_option("--tests", args.tests, "which of pp128, pp512, tg64, tg128 to run (default: all)")
      ->delimiter(',');
  app.add_option("--vocab-from", args.vocab_from,
                 "give synthetic models this GGUF file's tokenizer (padded to the shape's "
                 "vocabulary), so llama-bench loads them too")
      ->check(CLI::ExistingFile);
  app.add_option("--batch", args.batch,
                 "sequence counts to decode together (continuous batching), e.g. 1,2,4,8")
      ->delimiter(',');
  app.add_option("--batch-prompt", args.batch_prompt, "prompt tokens per batched sequence");
  app.add_option("--batch-gen", args.batch_gen, "decode steps timed in the batched test");
  app.add_option("--ttft-chunks", args.ttft_chunks,
                 "prompt chunk sizes for the TTFT / token gap test, 0 = the whole prompt in "
                 "one step, e.g. 64,256,0")
      ->delimiter(',');
  app.add_option("--ttft-prompt", args.ttft_prompt, "the new prompt's tokens in that test");
  app.add_option("--ttft-streams", args.ttft_streams, "sequences decoding meanwhile");
  app.add_option("--json", args.json, "append JSON lines to this file ('-': stdout)");
  app.add_option("--file", args.files,
                 "GGUF files to measure as they are (e.g. llama-quantize's output, to compare "
                 "with llama-bench on the same file) instead of synthetic --shape/--type models")
      ->delimiter(',')
      ->check(CLI::ExistingFile);
  CLI11_PARSE(app, argc, argv);

  std::vector<nlohmann::json> results;
  fmt::print("{:<16} {:<7} {:>8} {:>8} {:>7} {:>7} {:>9} {:>6} {:>9}\n", "model", "type", "pp128",
             "pp512", "tg64", "tg128", "bw GB/s", "eff", "RSS MiB");
  std::vector<BenchTarget> targets;
  for (const std::string& file : args.files) {
    targets.push_back({std::filesystem::path(file).stem().string(), "file", file, std::nullopt});
  }
  for (const std::string& name : args.files.empty() ? args.shapes : std::vector<std::string>{}) {
    auto desc = hfd::model::PresetDesc(name);
    if (!desc.ok()) {
      std::cerr << desc.status().ToString() << "\n";
      return 2;
    }
    for (const std::string& type : args.types) {
      targets.push_back({name, type,
                         std::filesystem::path(args.dir) / fmt::format("{}-{}.gguf", name, type),
                         *desc});
    }
  }
  for (const BenchTarget& target : targets) {
    results.push_back(BenchInChild(args, target));
    PrintRow(results.back());
  }
  if (!args.json.empty()) {
    std::ofstream file;
    if (args.json != "-") file.open(args.json, std::ios::app);
    std::ostream& out = args.json == "-" ? std::cout : file;
    for (const auto& r : results) out << r.dump() << "\n";
  }
  return 0;
}
