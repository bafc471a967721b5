// hfd-generate: runs a local model from the shell before the daemon serves it.
//
//   hfd-generate MODEL -p "Once upon a time" [-n 64] [--temp 0.8 --top-k 40 --seed 1 ...]
//                [--json]
//
// MODEL is a .gguf file or a Hugging Face model directory. Prints the generated text as it
// comes, then prompt and decode speed; --json prints one JSON object instead.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "backends/cpu/cpu_backend.h"
#include "common/log_to_stderr.h"
#include "engine/model/model_files.h"
#include "engine/runtime/generator.h"
#include "engine/runtime/session.h"
#include "engine/sampling/sampling_params.h"
#include "engine/tokenizer/tokenizer.h"

namespace {

struct Args {
  std::string model;
  std::string prompt = "Once upon a time";
  int threads = 0;
  int n_ctx = 4096;
  int batch = 128;
  bool raw = false;  // no BOS/EOS added to the prompt
  bool kv_f32 = false;
  bool json = false;
  // Greedy unless a temperature is given; other defaults follow SamplingParams.
  hfd::sampling::SamplingParams sampling = [] {
    hfd::sampling::SamplingParams p;
    p.temperature = 0.0f;
    p.max_tokens = 64;
    return p;
  }();
  uint64_t seed = 0;
  bool seeded = false;
};

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

int Fail(const hfd::Status& status) {
  std::cerr << "hfd-generate: " << status.ToString() << "\n";
  return 1;
}

int Run(const Args& args) {
  using namespace hfd;
  if (Status s = sampling::Validate(args.sampling); !s.ok()) return Fail(s);
  const auto load_start = std::chrono::steady_clock::now();
  auto files = model::OpenModelFiles(args.model);
  if (!files.ok()) return Fail(files.status());
  auto tokenizer = tok::Tokenizer::FromPath(args.model);
  if (!tokenizer.ok()) return Fail(tokenizer.status());
  auto backend = cpu::CreateCpuBackend({args.threads});
  if (Status s = backend->LoadWeights(**files); !s.ok()) return Fail(s);
  auto session = runtime::Session::Create(
      *backend, **files,
      {args.n_ctx, args.batch, args.kv_f32 ? runtime::KvType::kF32 : runtime::KvType::kF16});
  if (!session.ok()) return Fail(session.status());
  const double load_seconds = Seconds(load_start);

  runtime::GenerateRequest request;
  request.prompt = (*tokenizer)->Encode(args.prompt, !args.raw);
  request.params = args.sampling;
  request.eos_ids = (*tokenizer)->eos_ids();
  if (args.seeded) request.params.seed = args.seed;
  if (!args.json) std::cout << args.prompt << std::flush;
  const auto sink = [&](std::string_view text, int32_t, const runtime::TokenLogprobs*) {
    if (!args.json) std::cout << text << std::flush;
    return true;
  };
  auto result = runtime::Generate(**session, **tokenizer, request, sink);
  if (!result.ok()) return Fail(result.status());
  const int prompt_tokens = static_cast<int>(request.prompt.size());
  const int generated = static_cast<int>(result->tokens.size());
  const double prefill_tps = result->PrefillRate(prompt_tokens);
  const double decode_tps = result->DecodeRate();
  const std::string stop(result->cancelled ? "cancelled"
                                           : sampling::StopReasonName(result->stop_reason));

  if (args.json) {
    nlohmann::json out = {
        {"model", args.model},
        {"backend", backend->name()},
        {"device", backend->device_description()},
        {"prompt_tokens", prompt_tokens},
        {"generated_tokens", generated},
        {"token_ids", result->tokens},
        {"text", result->text},
        {"stop_reason", stop},
        {"load_seconds", load_seconds},
        {"prefill_tokens_per_second", prefill_tps},
        {"decode_tokens_per_second", decode_tps},
    };
    std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    std::cout << "\n";
    std::fprintf(stderr,
                 "\n%s on %s | load %.2f s | prompt %d tokens, %.1f tok/s | generated %d "
                 "tokens, %.1f tok/s | stop: %s\n",
                 args.model.c_str(), backend->device_description().c_str(), load_seconds,
                 prompt_tokens, prefill_tps, generated, decode_tps, stop.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  hfd::LogToStderr("hfd-generate");  // stdout carries the results
  Args args;
  CLI::App app{"Generate text with a local model on the CPU backend"};
  app.add_option("model", args.model, "a .gguf file or a Hugging Face model directory")->required();
  app.add_option("-p,--prompt", args.prompt, "prompt text");
  auto& s = args.sampling;
  app.add_option("-n,--max-tokens", s.max_tokens, "tokens to generate (-1: up to the context)");
  app.add_option("--temp", s.temperature, "temperature (0: greedy)");
  app.add_option("--top-k", s.top_k, "keep the k most likely tokens (0: all)");
  app.add_option("--top-p", s.top_p, "nucleus sampling threshold");
  app.add_option("--min-p", s.min_p, "drop tokens below min-p × the most likely");
  app.add_option("--repeat-penalty", s.repetition_penalty, "repetition penalty (1: off)");
  app.add_option("--presence-penalty", s.presence_penalty, "presence penalty");
  app.add_option("--frequency-penalty", s.frequency_penalty, "frequency penalty");
  app.add_option("--stop", s.stop, "stop before this string (repeatable)");
  app.add_option("--seed", args.seed, "sampling seed (reproducible output)")
      ->each([&](const std::string&) { args.seeded = true; });
  app.add_option("-t,--threads", args.threads, "CPU threads (0: all cores)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("-c,--ctx", args.n_ctx, "context size (KV cache positions)")
      ->check(CLI::PositiveNumber);
  app.add_option("-b,--batch", args.batch, "prefill batch (tokens per call)")
      ->check(CLI::PositiveNumber);
  app.add_flag("--raw", args.raw, "do not add the tokenizer's BOS/EOS to the prompt");
  app.add_flag("--kv-f32", args.kv_f32, "keep the KV cache in F32 instead of F16");
  app.add_flag("--json", args.json, "print one JSON object instead of text and a summary");
  CLI11_PARSE(app, argc, argv);
  try {
    return Run(args);
  } catch (const std::exception& e) {
    std::cerr << "hfd-generate: " << e.what() << "\n";
    return 1;
  }
}
