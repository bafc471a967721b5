// vulkan_bench: decode and prefill speed of the Vulkan backend on synthetic models of real
// shapes (llama-bench's pp512 / tg128), with the device's copy bandwidth measured in the
// same run by a Vulkan copy kernel; decode efficiency = weight bytes per token x tokens/s
// / bandwidth.
//
//   vulkan_bench [--device NAME] [--shape tinyllama-1.1b,llama-2-7b,llama-3-8b]
//                [--type F16,Q8_0,Q4_K_M,Q4_0] [--dir /tmp/hfd-bench-models] [--json -]
//                [--no-fuse] [--vocab-from vocab.gguf]
//   vulkan_bench [--device NAME] --file a.gguf,b.gguf   (existing files, as they are)
//
// --vocab-from gives the synthetic models that file's tokenizer (padded to the shape's
// vocabulary), so llama.cpp's llama-bench loads the same files; each JSON row names its file.
//
// Each row also gives the dispatches and barriers one decode token records.
// Without --device it takes the GPU `auto` would; lavapipe only when named ("llvmpipe").
#include <chrono>
#include <fstream>
#include <iostream>
#include <optional>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "backends/vulkan/command_stream.h"
#include "backends/vulkan/device.h"
#include "backends/vulkan/instance.h"
#include "backends/vulkan/kernels.h"
#include "backends/vulkan/vulkan_backend.h"
#include "backends/vulkan/vulkan_executable.h"
#include "bench/synthetic_model.h"
#include "common/log_to_stderr.h"
#include "engine/model/model_files.h"
#include "engine/model/synthetic_gguf.h"
#include "engine/runtime/graph_builder.h"
#include "engine/runtime/session.h"

namespace hfd::vk::bench {
namespace {

struct Args {
  std::string device;
  std::vector<std::string> shapes = {"tinyllama-1.1b"};
  std::vector<std::string> types = {"Q4_K_M", "Q8_0", "F16"};
  std::string dir = "/tmp/hfd-bench-models";
  int prompt = 512;
  int decode = 128;
  std::string json;
  bool no_fuse = false;
  std::string vocab_from;  // a GGUF vocabulary to give synthetic models (llama.cpp loads them)
  std::vector<std::string> files;  // existing GGUF files, measured as they are
};

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// The shapes of llama.cpp's published benchmarks, besides model::PresetDesc's own.
Result<model::ModelDesc> Shape(const std::string& name) {
  if (name == "llama-2-7b") {
    // TinyLlama is a small Llama 2 (same vocabulary, rope and ids): only the sizes differ.
    HFD_ASSIGN_OR_RETURN(model::ModelDesc d, model::PresetDesc("tinyllama-1.1b"));
    d.n_embd = 4096, d.n_layer = 32, d.n_head = 32, d.n_head_kv = 32, d.head_dim = 128;
    d.n_ff = 11008, d.n_ctx_train = 4096;
    return d;
  }
  return model::PresetDesc(name);
}

// Best copy bandwidth (read + write bytes per second) over a few runs of a recorded
// stream of copies between two device-local buffers.
Result<double> MeasureBandwidth(const std::string& device_name) {
  HFD_ASSIGN_OR_RETURN(auto instance, Instance::Create({}));
  HFD_ASSIGN_OR_RETURN(auto devices, EnumerateDevices(*instance));
  HFD_ASSIGN_OR_RETURN(DeviceInfo info, SelectDevice(devices, {device_name, false}));
  HFD_ASSIGN_OR_RETURN(auto device, Device::Create(*instance, info));
  const uint64_t bytes = std::min<uint64_t>(device->max_buffer_bytes() / 2, 512ull << 20) & ~255ull;
  double best = 0;
  {
    Kernels kernels(*device);
    HFD_ASSIGN_OR_RETURN(Buffer a, Buffer::Create(*device, bytes, MemoryUse::kDeviceLocal));
    HFD_ASSIGN_OR_RETURN(Buffer b, Buffer::Create(*device, bytes, MemoryUse::kDeviceLocal));
    HFD_ASSIGN_OR_RETURN(auto stream, CommandStream::Begin(*device));
    constexpr int kCopies = 10;
    for (int i = 0; i < kCopies; ++i) {
      HFD_RETURN_IF_ERROR(kernels.Copy(*stream, i % 2 ? b : a, i % 2 ? a : b,
                                       static_cast<uint32_t>(bytes / 4), 0, 0));
    }
    HFD_RETURN_IF_ERROR(stream->End());
    for (int rep = 0; rep < 4; ++rep) {
      const double t0 = Now();
      HFD_RETURN_IF_ERROR(stream->Submit());
      if (rep > 0) best = std::max(best, 2.0 * bytes * kCopies / (Now() - t0));
    }
  }
  return best;
}

int64_t WeightBytesPerToken(const model::ModelFiles& files) {
  auto graph = runtime::BuildGraph(files, {1, runtime::GraphOutput::kLastArgmax});
  if (!graph.ok()) return 0;
  int64_t bytes = 0;
  for (const runtime::Op& op : graph->ops) {
    if (op.kind != runtime::OpKind::kMatMul) continue;
    const runtime::WeightRef& w = graph->weights[op.weight];
    bytes += RowBytes(w.type, w.shape[0]) * w.shape[1];
  }
  return bytes;
}

// What the recorded decode step (one token, on-device argmax) submits.
Result<VulkanExecutable::StreamCounts> DecodeCounts(runtime::Backend& backend,
                                                    const model::ModelFiles& files, int n_ctx) {
  HFD_ASSIGN_OR_RETURN(runtime::Graph graph,
                       runtime::BuildGraph(files, {1, runtime::GraphOutput::kLastArgmax}));
  HFD_ASSIGN_OR_RETURN(
      auto cache, backend.AllocateKvCache(
                      {graph.n_layer, 1, graph.n_head_kv, graph.head_dim, runtime::KvType::kF16}));
  HFD_ASSIGN_OR_RETURN(auto exe, backend.Compile(graph, *cache));
  return dynamic_cast<VulkanExecutable&>(*exe).Counts(1);
}

using hfd::bench::BenchTarget;

Result<nlohmann::json> BenchModel(const Args& args, const BenchTarget& target, double bandwidth) {
  const std::string& name = target.name;
  const std::string& type = target.type;
  const std::filesystem::path& path = target.path;
  HFD_RETURN_IF_ERROR(hfd::bench::EnsureWritten(target, args.vocab_from));
  HFD_ASSIGN_OR_RETURN(auto files, model::OpenModelFiles(path));
  const double t0 = Now();
  HFD_ASSIGN_OR_RETURN(auto backend,
                       CreateVulkanBackend({.device = args.device, .fuse_ops = !args.no_fuse}));
  HFD_RETURN_IF_ERROR(backend->LoadWeights(*files));
  const int n_ctx = args.prompt + args.decode + 16;
  HFD_ASSIGN_OR_RETURN(auto session,
                       runtime::Session::Create(*backend, *files, {n_ctx, args.prompt}));
  const double load_seconds = Now() - t0;
  const int64_t vocab = files->desc().n_vocab;
  // Warm-up: records the streams the timed runs use.
  HFD_RETURN_IF_ERROR(
      session->Feed(model::RandomTokens(args.prompt, vocab, static_cast<uint32_t>(args.prompt)))
          .status());
  HFD_RETURN_IF_ERROR(session->FeedGreedy(1).status());

  HFD_RETURN_IF_ERROR(session->Rewind(0));
  const std::vector<int32_t> prompt =
      model::RandomTokens(args.prompt, vocab, static_cast<uint32_t>(args.prompt));
  double t = Now();
  HFD_RETURN_IF_ERROR(session->Feed(prompt).status());
  const double prefill = args.prompt / (Now() - t);

  int32_t next = 1;
  t = Now();
  for (int i = 0; i < args.decode; ++i) {
    HFD_ASSIGN_OR_RETURN(next, session->FeedGreedy(next));
  }
  const double decode = args.decode / (Now() - t);
  const int64_t bytes_per_token = WeightBytesPerToken(*files);
  HFD_ASSIGN_OR_RETURN(VulkanExecutable::StreamCounts counts,
                       DecodeCounts(*backend, *files, n_ctx));
  return nlohmann::json{{"model", name},
                        {"type", type},
                        {"file", path.string()},
                        {"device", backend->device_description()},
                        {"load_seconds", load_seconds},
                        {fmt::format("pp{}", args.prompt), prefill},
                        {fmt::format("tg{}", args.decode), decode},
                        {"weight_bytes_per_token", bytes_per_token},
                        {"fused", !args.no_fuse},
                        {"decode_dispatches", counts.dispatches},
                        {"decode_barriers", counts.barriers},
                        {"bandwidth_gbs", bandwidth / 1e9},
                        {"decode_efficiency", decode * bytes_per_token / bandwidth}};
}

}  // namespace
}  // namespace hfd::vk::bench

int main(int argc, char** argv) {
  hfd::LogToStderr("vulkan_bench");  // stdout carries the results
  using namespace hfd::vk::bench;
  Args args;
  CLI::App app{"Vulkan backend speed on synthetic models"};
  app.add_option("--device", args.device, "device name substring or index (llvmpipe: lavapipe)");
  app.add_option("--shape", args.shapes, "tinyllama-1.1b, llama-2-7b, llama-3-8b, ...")
      ->delimiter(',');
  app.add_option("--type", args.types, "F16, Q8_0, Q4_0, Q4_K_M")->delimiter(',');
  app.add_option("--dir", args.dir, "where synthetic models are written and reused");
  app.add_option("--prompt", args.prompt, "prefill tokens");
  app.add_option("--decode", args.decode, "decode tokens");
  app.add_option("--json", args.json, "append JSON lines to this file (- for stdout)");
  app.add_flag("--no-fuse", args.no_fuse, "one dispatch per graph op (no fused kernels)");
  app.add_option("--vocab-from", args.vocab_from,
                 "give synthetic models this GGUF file's tokenizer, so llama-bench loads them too")
      ->check(CLI::ExistingFile);
  app.add_option("--file", args.files,
                 "GGUF files to measure as they are (e.g. a Hub file, to compare with llama-bench "
                 "on the same file) instead of synthetic --shape/--type models")
      ->delimiter(',')
      ->check(CLI::ExistingFile);
  CLI11_PARSE(app, argc, argv);

  auto bandwidth = MeasureBandwidth(args.device);
  if (!bandwidth.ok()) {
    std::cerr << "vulkan_bench: " << bandwidth.status().ToString() << "\n";
    return 1;
  }
  fmt::print("device copy bandwidth: {:.1f} GB/s\n", *bandwidth / 1e9);
  fmt::print("{:<16} {:<7} {:>9} {:>9} {:>6} {:>16}\n", "model", "type", "pp/s", "tg/s", "eff",
             "dispatch/barrier");
  std::vector<BenchTarget> targets;
  for (const std::string& file : args.files) {
    targets.push_back({std::filesystem::path(file).stem().string(), "file", file, std::nullopt});
  }
  for (const std::string& name : args.files.empty() ? args.shapes : std::vector<std::string>{}) {
    auto shape = Shape(name);
    if (!shape.ok()) {
      std::cerr << "vulkan_bench: " << shape.status().ToString() << "\n";
      return 2;
    }
    for (const std::string& type : args.types) {
      // Files with and without a tokenizer are kept apart: llama-bench refuses the latter.
      targets.push_back({name, type,
                         std::filesystem::path(args.dir) /
                             fmt::format("{}-{}{}.gguf", name, type,
                                         args.vocab_from.empty() ? "" : "-with-vocab"),
                         *shape});
    }
  }
  int failures = 0;
  for (const BenchTarget& target : targets) {
    auto r = BenchModel(args, target, *bandwidth);
    const nlohmann::json row = r.ok() ? *r
                                      : nlohmann::json{{"model", target.name},
                                                       {"type", target.type},
                                                       {"file", target.path.string()},
                                                       {"error", r.status().ToString()}};
    if (!r.ok()) {
      ++failures;
      fmt::print("{:<16} {:<7} error: {}\n", target.name, target.type, r.status().ToString());
    } else {
      fmt::print("{:<16} {:<7} {:>9.1f} {:>9.1f} {:>6.2f} {:>16}\n", target.name, target.type,
                 row[fmt::format("pp{}", args.prompt)].get<double>(),
                 row[fmt::format("tg{}", args.decode)].get<double>(),
                 row["decode_efficiency"].get<double>(),
                 fmt::format("{}/{}", row["decode_dispatches"].get<int>(),
                             row["decode_barriers"].get<int>()));
    }
    if (args.json == "-") {
      std::cout << row.dump() << "\n";
    } else if (!args.json.empty()) {
      std::ofstream(args.json, std::ios::app) << row.dump() << "\n";
    }
  }
  return failures == 0 ? 0 : 1;
}
