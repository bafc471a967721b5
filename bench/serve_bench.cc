// serve_bench: what serving through hfd costs over the engine alone, and how long a cached
// model takes to load.
//
//   serve_bench --hfd build/release/daemon/hfd [--shape llama-3.2-1b] [--type Q4_K_M]
//               [--backend cpu|vulkan|auto] [--tokens 64] [--reps 3] [--dir /tmp/hfd-bench-models]
//               [--tokenizer FIXTURES/gguf/tiny-llama3-Q8_0.gguf] [--clients 4]
//               [--json out.jsonl]
//
// The model is synthetic (random weights, the shape's exact tensors) with the Llama 3
// tokenizer of the fixture tiny-llama3 file, so the daemon can take text prompts.
//  - decode: tokens/s of a streamed `generate` through the socket (client library, the
//    client's clock: first to last token notification) ÷ tokens/s of runtime::Generate in
//    this process on the same file and backend (--backend: the CPU unless named), greedy,
//    same prompts; runs alternate.
//  - TTFT overhead: the client's time from sending to the first token minus the engine's
//    tokenize + prefill + first choice, in microseconds (medians).
//  - concurrent decode (--clients N): N clients, each on its own connection, stream
//    `generate` at once from a model loaded with max_concurrency N; the sum of their
//    decode rates ÷ the engine's aggregate rate with the same N prompts decoded together
//    through one SequenceBatch (continuous batching without the daemon); runs alternate.
//  - load: OpenModelFiles + LoadWeights + Session in-process, and the daemon's `load`,
//    with the file in the page cache (warm) and after posix_fadvise(DONTNEED) (cold).
// Prints a table; every figure is also a JSON line (--json FILE appends, - is stdout).
#include <chrono>
#include <iostream>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "bench/batched_decode.h"
#include "bench/serve/daemon_process.h"
#include "bench/serve/daemon_run.h"
#include "bench/serve/engine_run.h"
#include "bench/serve/model_file.h"
#include "bench/serve/report.h"
#include "bench/synthetic_model.h"
#include "engine/model/synthetic_gguf.h"

namespace hfd::bench {
namespace {

using nlohmann::json;

struct Args {
  std::string hfd;
  std::string shape = "llama-3.2-1b";
  std::string type = "Q4_K_M";
  std::string backend = "cpu";  // both sides: the engine in this process and the daemon's load
  int tokens = 64;
  int reps = 3;
  std::string dir = "/tmp/hfd-bench-models";
  std::string tokenizer = std::string(HFD_BENCH_FIXTURES) + "/gguf/tiny-llama3-Q8_0.gguf";
  int clients = 0;  // concurrent clients for the batched measurement; 0: skip it
  std::string json_out;
};

// Prompts that differ from their first token on, so the daemon cannot reuse a previous
// request's KV cache and both sides prefill the same number of tokens.
std::string Prompt(int i) {
  return fmt::format(
      "{} little stories begin here: once upon a time, in a village by the sea, "
      "there lived an old fisherman and his",
      i + 2);
}

json GenerateParams(const std::string& model, const std::string& prompt, int tokens) {
  return {{"model", model}, {"prompt", prompt}, {"max_tokens", tokens}, {"temperature", 0}};
}

// Load times: in-process and through the daemon, cold then warm. The caller holds no
// mapping of the file.
Status MeasureLoad(const Args& args, const std::string& path, client::Client& client,
                   Report& report) {
  for (const bool cold : {true, false}) {
    if (cold) HFD_RETURN_IF_ERROR(DropFromPageCache(path));
    HFD_ASSIGN_OR_RETURN(const double resident_engine, ResidentFraction(path));
    const auto t0 = Clock::now();
    HFD_ASSIGN_OR_RETURN(auto engine, LoadEngine(path, args.backend));
    const double engine_s = Since(t0);
    engine.reset();

    if (cold) HFD_RETURN_IF_ERROR(DropFromPageCache(path));
    HFD_ASSIGN_OR_RETURN(const double resident_daemon, ResidentFraction(path));
    const auto t1 = Clock::now();
    HFD_ASSIGN_OR_RETURN(
        json loaded,
        client.Call("load", {{"model", path}, {"backend", args.backend}, {"ctx", kBenchCtx}}));
    const double daemon_s = Since(t1);
    HFD_RETURN_IF_ERROR(client.Call("unload", {{"model", path}}).status());

    const char* cache = cold ? "cold" : "warm";
    fmt::print(
        "load ({}): in-process {:.3f} s (file {:.0f}% cached before), daemon `load` "
        "{:.3f} s by the client's clock, {:.3f} s by its own (file {:.0f}% cached)\n",
        cache, engine_s, 100 * resident_engine, daemon_s, loaded.value("load_seconds", 0.0),
        100 * resident_daemon);
    report.Add({{"bench", "serve_load"},
                {"backend", args.backend},
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
  HFD_ASSIGN_OR_RETURN(auto engine, LoadEngine(path, args.backend));
  HFD_RETURN_IF_ERROR(
      client.Call("load", {{"model", path}, {"backend", args.backend}, {"ctx", kBenchCtx}})
          .status());
  // One warm-up each: page faults, thread pools, first allocations.
  HFD_RETURN_IF_ERROR(EngineRun(*engine, engine->tokenizer->Encode(Prompt(0), true), 4).status());
  HFD_RETURN_IF_ERROR(DaemonRun(client, "generate", GenerateParams(path, Prompt(1), 4)).status());

  std::vector<double> engine_tps, daemon_tps, engine_ttft, daemon_ttft, socket_us;
  for (int rep = 0; rep < args.reps; ++rep) {
    const std::string prompt = Prompt(2 + rep);
    HFD_ASSIGN_OR_RETURN(const Run e,
                         EngineRun(*engine, engine->tokenizer->Encode(prompt, true), args.tokens));
    HFD_ASSIGN_OR_RETURN(const Run d,
                         DaemonRun(client, "generate", GenerateParams(path, prompt, args.tokens)));
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
              {"backend", args.backend},
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

// N clients stream `generate` at the same moment, each on its own connection; the sum of
// their decode rates (each from its first to its last token, which overlap since all
// start together with prompts of one length).
Result<double> ConcurrentDaemonRate(const DaemonProcess& daemon, const std::string& path,
                                    const std::vector<std::string>& prompts, int tokens) {
  std::vector<std::unique_ptr<client::Client>> clients;
  for (size_t i = 0; i < prompts.size(); ++i) {
    HFD_ASSIGN_OR_RETURN(auto c, daemon.Connect());
    clients.push_back(std::move(c));
  }
  std::vector<Result<Run>> runs(prompts.size(), Internal("not run"));
  std::latch start(static_cast<std::ptrdiff_t>(prompts.size()));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < prompts.size(); ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      runs[i] = DaemonRun(*clients[i], "generate", GenerateParams(path, prompts[i], tokens));
    });
  }
  for (auto& t : threads) t.join();
  double sum = 0;
  for (auto& r : runs) {
    if (!r.ok()) return r.status();
    sum += r->decode_tps;
  }
  return sum;
}

// Aggregate decode of args.clients concurrent requests through the daemon ÷ the engine's
// with the same prompts decoded together (issue 19's goal: >= 0.95).
Status MeasureConcurrent(const Args& args, const std::string& path, const DaemonProcess& daemon,
                         client::Client& client, Report& report) {
  HFD_ASSIGN_OR_RETURN(auto engine, LoadEngine(path, args.backend));
  HFD_RETURN_IF_ERROR(client
                          .Call("load", {{"model", path},
                                         {"backend", args.backend},
                                         {"ctx", kBenchCtx},
                                         {"max_concurrency", args.clients}})
                          .status());
  std::vector<double> engine_tps, daemon_tps;
  for (int rep = 0; rep < args.reps + 1; ++rep) {  // the first round warms both up
    std::vector<std::string> texts;
    std::vector<std::vector<int32_t>> ids;
    for (int c = 0; c < args.clients; ++c) {
      // Numbers of three digits, one token each in Llama 3's vocabulary, so every prompt
      // has the same length.
      texts.push_back(Prompt(100 + rep * args.clients + c));
      ids.push_back(engine->tokenizer->Encode(texts.back(), true));
    }
    HFD_ASSIGN_OR_RETURN(const double e,
                         BatchedDecodeRate(*engine->backend, *engine->files, ids, args.tokens));
    HFD_ASSIGN_OR_RETURN(const double d, ConcurrentDaemonRate(daemon, path, texts, args.tokens));
    if (rep == 0) continue;
    engine_tps.push_back(e);
    daemon_tps.push_back(d);
    fmt::print("rep {}: {} sequences, engine {:.2f} tok/s in all | {} clients, daemon {:.2f}\n",
               rep - 1, args.clients, e, args.clients, d);
  }
  HFD_RETURN_IF_ERROR(client.Call("unload", {{"model", path}}).status());
  const double ratio = Median(daemon_tps) / Median(engine_tps);
  fmt::print(
      "concurrent decode, {} clients: daemon {:.2f} tok/s ÷ engine {:.2f} tok/s = {:.3f} (goal "
      ">= 0.95; medians of {})\n",
      args.clients, Median(daemon_tps), Median(engine_tps), ratio, args.reps);
  report.Add({{"bench", "serve_concurrent"},
              {"backend", args.backend},
              {"shape", args.shape},
              {"type", args.type},
              {"tokens", args.tokens},
              {"clients", args.clients},
              {"reps", args.reps},
              {"engine_decode_tps", Median(engine_tps)},
              {"daemon_decode_tps", Median(daemon_tps)},
              {"decode_ratio", ratio}});
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
  fmt::print("{} {} ({}), {} backend, {} tokens, {} reps\n", args.shape, args.type, path,
             args.backend, args.tokens, args.reps);
  HFD_RETURN_IF_ERROR(MeasureLoad(args, path, *client, report));
  HFD_RETURN_IF_ERROR(MeasureOverhead(args, path, *client, report));
  if (args.clients > 0)
    HFD_RETURN_IF_ERROR(MeasureConcurrent(args, path, *daemon, *client, report));
  return Status::Ok();
}

}  // namespace
}  // namespace hfd::bench

int main(int argc, char** argv) {
  hfd::bench::Args args;
  CLI::App app{"Daemon overhead over the engine, and model load time"};
  app.add_option("--hfd", args.hfd, "the hfd binary")->required();
  app.add_option("--shape", args.shape, "synthetic shape: tinyllama-1.1b, llama-3.2-1b, ...");
  app.add_option("--type", args.type, "weight mix: Q4_K_M, Q8_0, Q4_0, F16");
  app.add_option("--backend", args.backend, "cpu, vulkan or auto, for the engine and the daemon")
      ->check(CLI::IsMember({"cpu", "vulkan", "auto"}));
  app.add_option("--tokens", args.tokens, "tokens per generation")->check(CLI::Range(2, 4096));
  app.add_option("--reps", args.reps, "alternating engine/daemon runs")->check(CLI::Range(1, 100));
  app.add_option("--dir", args.dir, "where synthetic models are written");
  app.add_option("--tokenizer", args.tokenizer, "GGUF file whose tokenizer the model gets");
  app.add_option("--clients", args.clients,
                 "also measure N concurrent clients against N sequences decoded together")
      ->check(CLI::Range(0, 8));
  app.add_option("--json", args.json_out, "append JSON lines to this file (- for stdout)");
  CLI11_PARSE(app, argc, argv);
  const hfd::Status status = hfd::bench::Main(args);
  if (!status.ok()) {
    std::cerr << "serve_bench: " << status.ToString() << "\n";
    return 1;
  }
  return 0;
}
