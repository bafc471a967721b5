// serve_bench: what serving through hfd costs over the engine alone, and how long a cached
// model takes to load.
//
//   serve_bench --hfd build/release/daemon/hfd [--shape llama-3.2-1b] [--type Q4_K_M]
//               [--tokens 64] [--reps 3] [--dir /tmp/hfd-bench-models]
//               [--tokenizer FIXTURES/gguf/tiny-llama3-Q8_0.gguf] [--json out.jsonl]
//
// The model is synthetic (random weights, the shape's exact tensors) with the Llama 3
// tokenizer of the fixture tiny-llama3 file, so the daemon can take text prompts.
//  - decode: tokens/s of a streamed `generate` through the socket (client library, the
//    client's clock: first to last token notification) ÷ tokens/s of runtime::Generate in
//    this process on the same file, CPU backend, greedy, same prompts; runs alternate.
//  - TTFT overhead: the client's time from sending to the first token minus the engine's
//    tokenize + prefill + first choice, in microseconds (medians).
//  - load: OpenModelFiles + LoadWeights + Session in-process, and the daemon's `load`,
//    with the file in the page cache (warm) and after posix_fadvise(DONTNEED) (cold).
// Prints a table; every figure is also a JSON line (--json FILE appends, - is stdout).
#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "backends/cpu/cpu_backend.h"
#include "bench/serve/daemon_process.h"
#include "bench/serve/model_file.h"
#include "bench/synthetic_model.h"
#include "engine/model/model_files.h"
#include "engine/model/synthetic_gguf.h"
#include "engine/runtime/generator.h"
#include "engine/runtime/session.h"
#include "engine/tokenizer/tokenizer.h"

namespace hfd::bench {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kCtx = 1024;

struct Args {
  std::string hfd;
  std::string shape = "llama-3.2-1b";
  std::string type = "Q4_K_M";
  int tokens = 64;
  int reps = 3;
  std::string dir = "/tmp/hfd-bench-models";
  std::string tokenizer = std::string(HFD_BENCH_FIXTURES) + "/gguf/tiny-llama3-Q8_0.gguf";
  std::string json_out;
};

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

// Prompts that differ from their first token on, so the daemon cannot reuse a previous
// request's KV cache and both sides prefill the same number of tokens.
std::string Prompt(int i) {
  return fmt::format(
      "{} little stories begin here: once upon a time, in a village by the sea, "
      "there lived an old fisherman and his",
      i + 2);
}

// The model in this process, as hfd-generate runs it.
struct Engine {
  std::unique_ptr<model::ModelFiles> files;
  std::unique_ptr<tok::Tokenizer> tokenizer;
  std::unique_ptr<runtime::Backend> backend;
  std::unique_ptr<runtime::Session> session;

  ~Engine() {  // the session's cache before the backend that allocated it
    session.reset();
    backend.reset();
  }
};

Result<std::unique_ptr<Engine>> LoadEngine(const std::string& path) {
  auto e = std::make_unique<Engine>();
  HFD_ASSIGN_OR_RETURN(e->files, model::OpenModelFiles(path));
  HFD_ASSIGN_OR_RETURN(e->tokenizer, tok::Tokenizer::FromPath(path));
  e->backend = cpu::CreateCpuBackend({0});
  HFD_RETURN_IF_ERROR(e->backend->LoadWeights(*e->files));
  HFD_ASSIGN_OR_RETURN(e->session, runtime::Session::Create(*e->backend, *e->files,
                                                            {kCtx, 128, runtime::KvType::kF16}));
  return e;
}

struct Run {
  double ttft_s = 0;      // request to first token
  double decode_tps = 0;  // tokens after the first ÷ time after the first
  int completion_tokens = 0;
  double server_ttft_s = 0;  // the daemon's own ttft (from the request's arrival)
};

Result<Run> EngineRun(Engine& e, const std::string& prompt, int tokens) {
  const auto start = Clock::now();
  HFD_RETURN_IF_ERROR(e.session->Rewind(0));
  runtime::GenerateRequest request{e.tokenizer->Encode(prompt, true), {}, e.tokenizer->eos_ids()};
  request.params.temperature = 0.0f;
  request.params.max_tokens = tokens;
  HFD_ASSIGN_OR_RETURN(auto result,
                       runtime::Generate(*e.session, *e.tokenizer, request,
                                         [](std::string_view, int32_t) { return true; }));
  const double prefill = Since(start) - result.decode_seconds;
  const int n = static_cast<int>(result.tokens.size());
  return Run{prefill, result.DecodeRate(), n, prefill};
}

Result<Run> DaemonRun(client::Client& client, const std::string& model, const std::string& prompt,
                      int tokens) {
  const auto start = Clock::now();
  std::optional<Clock::time_point> first, last;
  auto result = client.CallStreaming(
      "generate",
      {{"model", model}, {"prompt", prompt}, {"max_tokens", tokens}, {"temperature", 0}},
      [&](const std::string& method, const json&) {
        if (method != "token") return;
        const auto now = Clock::now();
        if (!first) first = now;
        last = now;
      });
  if (!result.ok()) return result.status();
  if (!first) return Internal("the daemon streamed no token");
  const int n = (*result)["usage"].value("completion_tokens", 0);
  const double decode = std::chrono::duration<double>(*last - *first).count();
  const double server_ttft_ms = (*result)["timings"].value("ttft_ms", 0.0);
  return Run{std::chrono::duration<double>(*first - start).count(),
             decode > 0 ? (n - 1) / decode : 0.0, n, server_ttft_ms / 1e3};
}

class Report {
 public:
  explicit Report(std::string path) : path_(std::move(path)) {}
  void Add(json line) {
    line["date"] = Date();
    if (path_ == "-") std::cout << line.dump() << "\n";
    if (!path_.empty() && path_ != "-") std::ofstream(path_, std::ios::app) << line.dump() << "\n";
  }

 private:
  static std::string Date() {
    const std::time_t now = std::time(nullptr);
    char buffer[32];
    std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return buffer;
  }
  std::string path_;
};

// Load times: in-process and through the daemon, cold then warm. The caller holds no
// mapping of the file.
Status MeasureLoad(const Args& args, const std::string& path, client::Client& client,
                   Report& report) {
  for (const bool cold : {true, false}) {
    if (cold) HFD_RETURN_IF_ERROR(DropFromPageCache(path));
    HFD_ASSIGN_OR_RETURN(const double resident_engine, ResidentFraction(path));
    const auto t0 = Clock::now();
    HFD_ASSIGN_OR_RETURN(auto engine, LoadEngine(path));
    const double engine_s = Since(t0);
    engine.reset();

    if (cold) HFD_RETURN_IF_ERROR(DropFromPageCache(path));
    HFD_ASSIGN_OR_RETURN(const double resident_daemon, ResidentFraction(path));
    const auto t1 = Clock::now();
    HFD_ASSIGN_OR_RETURN(json loaded,
                         client.Call("load", {{"model", path}, {"backend", "cpu"}, {"ctx", kCtx}}));
    const double daemon_s = Since(t1);
    HFD_RETURN_IF_ERROR(client.Call("unload", {{"model", path}}).status());

    const char* cache = cold ? "cold" : "warm";
    fmt::print(
        "load ({}): in-process {:.3f} s (file {:.0f}% cached before), daemon `load` "
        "{:.3f} s by the client's clock, {:.3f} s by its own (file {:.0f}% cached)\n",
        cache, engine_s, 100 * resident_engine, daemon_s, loaded.value("load_seconds", 0.0),
        100 * resident_daemon);
    report.Add({{"bench", "serve_load"},
                {"shape", args.shape},
                {"type", args.type},
                {"page_cache", cache},
                {"engine_seconds", engine_s},
                {"engine_resident_before", resident_engine},
                {"daemon_seconds", daemon_s},
                {"daemon_load_seconds", loaded.value("load_seconds", 0.0)},
                {"daemon_resident_before", resident_daemon},
                {"memory_bytes", loaded.value("memory_bytes", 0)}});
  }
  return Status::Ok();
}

Status MeasureOverhead(const Args& args, const std::string& path, client::Client& client,
                       Report& report) {
  HFD_ASSIGN_OR_RETURN(auto engine, LoadEngine(path));
  HFD_RETURN_IF_ERROR(
      client.Call("load", {{"model", path}, {"backend", "cpu"}, {"ctx", kCtx}}).status());
  // One warm-up each: page faults, thread pools, first allocations.
  HFD_RETURN_IF_ERROR(EngineRun(*engine, Prompt(0), 4).status());
  HFD_RETURN_IF_ERROR(DaemonRun(client, path, Prompt(1), 4).status());

  std::vector<double> engine_tps, daemon_tps, engine_ttft, daemon_ttft, socket_us;
  for (int rep = 0; rep < args.reps; ++rep) {
    const std::string prompt = Prompt(2 + rep);
    HFD_ASSIGN_OR_RETURN(const Run e, EngineRun(*engine, prompt, args.tokens));
    HFD_ASSIGN_OR_RETURN(const Run d, DaemonRun(client, path, prompt, args.tokens));
    engine_tps.push_back(e.decode_tps);
    daemon_tps.push_back(d.decode_tps);
    engine_ttft.push_back(e.ttft_s);
    daemon_ttft.push_back(d.ttft_s);
    // Socket, framing and dispatch before the first token: the client's TTFT minus the
    // daemon's own (which starts at the request's arrival).
    socket_us.push_back(1e6 * (d.ttft_s - d.server_ttft_s));
    fmt::print(
        "rep {}: engine {:.2f} tok/s, ttft {:.1f} ms ({} tokens) | daemon {:.2f} tok/s, "
        "ttft {:.1f} ms ({} tokens)\n",
        rep, e.decode_tps, 1e3 * e.ttft_s, e.completion_tokens, d.decode_tps, 1e3 * d.ttft_s,
        d.completion_tokens);
  }
  HFD_RETURN_IF_ERROR(client.Call("unload", {{"model", path}}).status());
  const double ratio = Median(daemon_tps) / Median(engine_tps);
  const double ttft_overhead_us = 1e6 * (Median(daemon_ttft) - Median(engine_ttft));
  fmt::print(
      "decode: daemon {:.2f} tok/s ÷ engine {:.2f} tok/s = {:.3f} (goal >= 0.98); "
      "TTFT overhead {:.0f} us (daemon {:.1f} ms, engine {:.1f} ms; medians of {})\n",
      Median(daemon_tps), Median(engine_tps), ratio, ttft_overhead_us, 1e3 * Median(daemon_ttft),
      1e3 * Median(engine_ttft), args.reps);
  fmt::print("client TTFT - daemon-reported TTFT (socket + framing + dispatch): {:.0f} us\n",
             Median(socket_us));
  report.Add({{"bench", "serve_overhead"},
              {"shape", args.shape},
              {"type", args.type},
              {"tokens", args.tokens},
              {"reps", args.reps},
              {"engine_decode_tps", Median(engine_tps)},
              {"daemon_decode_tps", Median(daemon_tps)},
              {"decode_ratio", ratio},
              {"engine_ttft_ms", 1e3 * Median(engine_ttft)},
              {"daemon_ttft_ms", 1e3 * Median(daemon_ttft)},
              {"ttft_overhead_us", ttft_overhead_us},
              {"socket_ttft_overhead_us", Median(socket_us)}});
  return Status::Ok();
}

Status Main(const Args& args) {
  HFD_ASSIGN_OR_RETURN(model::ModelDesc desc, model::PresetDesc(args.shape));
  const std::string path =
      fmt::format("{}/{}-{}-with-tokenizer.gguf", args.dir, args.shape, args.type);
  HFD_RETURN_IF_ERROR(EnsureServableModel(std::move(desc), args.type, args.tokenizer, path));
  HFD_ASSIGN_OR_RETURN(auto daemon, DaemonProcess::Start(args.hfd));
  HFD_ASSIGN_OR_RETURN(auto client, daemon->Connect());
  Report report(args.json_out);
  fmt::print("{} {} ({}), CPU backend, {} tokens, {} reps\n", args.shape, args.type, path,
             args.tokens, args.reps);
  HFD_RETURN_IF_ERROR(MeasureLoad(args, path, *client, report));
  return MeasureOverhead(args, path, *client, report);
}

}  // namespace
}  // namespace hfd::bench

int main(int argc, char** argv) {
  hfd::bench::Args args;
  CLI::App app{"Daemon overhead over the engine, and model load time"};
  app.add_option("--hfd", args.hfd, "the hfd binary")->required();
  app.add_option("--shape", args.shape, "synthetic shape: tinyllama-1.1b, llama-3.2-1b, ...");
  app.add_option("--type", args.type, "weight mix: Q4_K_M, Q8_0, Q4_0, F16");
  app.add_option("--tokens", args.tokens, "tokens per generation")->check(CLI::Range(2, 4096));
  app.add_option("--reps", args.reps, "alternating engine/daemon runs")->check(CLI::Range(1, 100));
  app.add_option("--dir", args.dir, "where synthetic models are written");
  app.add_option("--tokenizer", args.tokenizer, "GGUF file whose tokenizer the model gets");
  app.add_option("--json", args.json_out, "append JSON lines to this file (- for stdout)");
  CLI11_PARSE(app, argc, argv);
  const hfd::Status status = hfd::bench::Main(args);
  if (!status.ok()) {
    std::cerr << "serve_bench: " << status.ToString() << "\n";
    return 1;
  }
  return 0;
}
