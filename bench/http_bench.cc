// http_bench: what the HTTP door costs (issue 15), against the engine alone and the
// MessagePack socket, in one run of one daemon.
//
//   http_bench --hfd build/release/daemon/hfd [--shape tinyllama-1.1b] [--type Q4_K_M]
//              [--tokens 64] [--reps 5] [--ttft-reps 40] [--clients 64] [--seconds 5]
//              [--dir /tmp/hfd-bench-models] [--json out.jsonl]
//
// The big model is synthetic (random weights, the shape's exact tensors) with the
// tokenizer of a fixture file (TinyLlama's 32,000-token vocabulary is tiny-llama2's) and a
// chat template, so the daemon takes chat requests. CPU backend, greedy.
//  - decode: tokens/s of a streamed POST /v1/chat/completions over the HTTP Unix socket
//    (libcurl, the client's clock: first to last content event) ÷ tokens/s of
//    runtime::Generate in this process on the same prompt tokens (the daemon's render_chat
//    and tokenize); a streamed MessagePack `chat` beside them. Engine, HTTP and MessagePack
//    take turns, each with a prompt of its own (equal lengths), so none reuses another's
//    KV cache.
//  - TTFT overhead: HTTP's time from sending to the first content event minus
//    MessagePack's to the first token notification, both on their Unix sockets over a
//    kept connection; the median of paired runs on prompts never seen before. On the big
//    model (from the decode runs) and on the fixture tiny-llama3, whose prefill is short
//    enough for microseconds to show through the noise.
//  - GET /v1/models answers per second from --clients keep-alive connections, on the TCP
//    listener and on the Unix socket.
// Prints what it measures as it goes and a table at the end; every figure is also a JSON
// line (--json FILE appends, - is stdout).
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "bench/serve/daemon_process.h"
#include "bench/serve/daemon_run.h"
#include "bench/serve/engine_run.h"
#include "bench/serve/http_client.h"
#include "bench/serve/model_file.h"
#include "bench/serve/report.h"
#include "engine/model/synthetic_gguf.h"

namespace hfd::bench {
namespace {

using nlohmann::json;

struct Args {
  std::string hfd;
  std::string shape = "tinyllama-1.1b";
  std::string type = "Q4_K_M";
  int tokens = 64;
  int reps = 5;
  int ttft_reps = 40;
  int clients = 64;
  double seconds = 5;
  std::string dir = "/tmp/hfd-bench-models";
  std::string tokenizer = std::string(HFD_BENCH_FIXTURES) + "/gguf/tiny-llama2-Q4_K_M.gguf";
  std::string ttft_model = std::string(HFD_BENCH_FIXTURES) + "/gguf/tiny-llama3-Q8_0.gguf";
  std::string json_out;
};

// A question no earlier request asked, the same number of tokens for every `i` < 10,000.
json Messages(int i) {
  return json::array({{{"role", "user"},
                       {"content", fmt::format("Question {:04d}: tell me a story about the sea, "
                                               "with a lighthouse and a storm.",
                                               i)}}});
}

json ChatParams(const std::string& model, const json& messages, int tokens) {
  return {{"model", model}, {"messages", messages}, {"max_tokens", tokens}, {"temperature", 0}};
}

// The prompt ids the daemon makes of `messages`: its chat template and tokenizer, then the
// tokenizer's BOS when it wants one and the template did not write it.
Result<std::vector<int32_t>> ChatPromptIds(client::Client& client, const Engine& engine,
                                           const std::string& model, const json& messages) {
  HFD_ASSIGN_OR_RETURN(
      const json rendered,
      client.Call("render_chat",
                  {{"model", model}, {"messages", messages}, {"add_generation_prompt", true}}));
  HFD_ASSIGN_OR_RETURN(const json tokenized,
                       client.Call("tokenize", {{"model", model},
                                                {"text", rendered.value("prompt", "")},
                                                {"add_special", false}}));
  std::vector<int32_t> ids = tokenized.value("ids", std::vector<int32_t>());
  const int32_t bos = engine.tokenizer->bos_id();
  if (engine.tokenizer->add_bos() && bos >= 0 && (ids.empty() || ids.front() != bos)) {
    ids.insert(ids.begin(), bos);
  }
  return ids;
}

// Every figure goes to the report as it is measured, and into the table at the end.
class Figures {
 public:
  explicit Figures(const std::string& json_out) : report_(json_out) {}
  void Add(const json& line) {
    report_.Add(line);
    lines_.push_back(line);
  }
  const std::vector<json>& lines() const { return lines_; }

 private:
  Report report_;
  std::vector<json> lines_;
};

// Medians of HTTP and MessagePack TTFT and of their paired differences.
json TtftFigures(const std::vector<double>& http, const std::vector<double>& msgpack) {
  std::vector<double> differences;
  for (size_t i = 0; i < http.size(); ++i) differences.push_back(http[i] - msgpack[i]);
  return {{"http_ttft_ms", 1e3 * Median(http)},
          {"msgpack_ttft_ms", 1e3 * Median(msgpack)},
          {"http_minus_msgpack_ttft_us", 1e6 * Median(differences)},
          {"pairs", http.size()}};
}

Status MeasureDecode(const Args& args, const std::string& path, client::Client& client,
                     HttpClient& http, Figures& figures) {
  HFD_ASSIGN_OR_RETURN(auto engine, LoadEngine(path));
  HFD_RETURN_IF_ERROR(
      client.Call("load", {{"model", path}, {"backend", "cpu"}, {"ctx", kBenchCtx}}).status());
  // One warm-up each: page faults, thread pools, first allocations.
  HFD_ASSIGN_OR_RETURN(std::vector<int32_t> warm,
                       ChatPromptIds(client, *engine, path, Messages(0)));
  HFD_RETURN_IF_ERROR(EngineRun(*engine, warm, 4).status());
  HFD_RETURN_IF_ERROR(http.StreamChat(ChatParams(path, Messages(1), 4)).status());
  HFD_RETURN_IF_ERROR(DaemonRun(client, "chat", ChatParams(path, Messages(2), 4)).status());

  std::vector<double> engine_tps, http_tps, msgpack_tps, engine_ttft, http_ttft, msgpack_ttft;
  std::vector<double> http_ratios, msgpack_ratios;  // within each round
  for (int rep = 0; rep < args.reps; ++rep) {
    const int first = 3 * (rep + 1);
    HFD_ASSIGN_OR_RETURN(std::vector<int32_t> ids,
                         ChatPromptIds(client, *engine, path, Messages(first)));
    const size_t prompt_tokens = ids.size();
    Run e, h, m;
    // Who goes first rotates, so a drift in the machine's speed hits all three alike.
    for (int turn = 0; turn < 3; ++turn) {
      switch ((rep + turn) % 3) {
        case 0: {
          HFD_ASSIGN_OR_RETURN(e, EngineRun(*engine, ids, args.tokens));
          break;
        }
        case 1: {
          HFD_ASSIGN_OR_RETURN(h,
                               http.StreamChat(ChatParams(path, Messages(first + 1), args.tokens)));
          break;
        }
        default: {
          HFD_ASSIGN_OR_RETURN(
              m, DaemonRun(client, "chat", ChatParams(path, Messages(first + 2), args.tokens)));
        }
      }
    }
    http_ratios.push_back(h.decode_tps / e.decode_tps);
    msgpack_ratios.push_back(m.decode_tps / e.decode_tps);
    engine_tps.push_back(e.decode_tps);
    http_tps.push_back(h.decode_tps);
    msgpack_tps.push_back(m.decode_tps);
    engine_ttft.push_back(e.ttft_s);
    http_ttft.push_back(h.ttft_s);
    msgpack_ttft.push_back(m.ttft_s);
    fmt::print(
        "rep {}: engine {:.2f} tok/s, ttft {:.1f} ms ({} prompt, {} tokens) | HTTP {:.2f} tok/s, "
        "ttft {:.1f} ms ({} tokens) | MessagePack {:.2f} tok/s, ttft {:.1f} ms ({} tokens)\n",
        rep, e.decode_tps, 1e3 * e.ttft_s, prompt_tokens, e.completion_tokens, h.decode_tps,
        1e3 * h.ttft_s, h.completion_tokens, m.decode_tps, 1e3 * m.ttft_s, m.completion_tokens);
  }
  HFD_RETURN_IF_ERROR(client.Call("unload", {{"model", path}}).status());
  figures.Add({{"bench", "http_decode"},
               {"shape", args.shape},
               {"type", args.type},
               {"tokens", args.tokens},
               {"reps", args.reps},
               {"engine_decode_tps", Median(engine_tps)},
               {"http_decode_tps", Median(http_tps)},
               {"msgpack_decode_tps", Median(msgpack_tps)},
               {"http_decode_ratio", Median(http_tps) / Median(engine_tps)},
               {"msgpack_decode_ratio", Median(msgpack_tps) / Median(engine_tps)},
               {"http_decode_ratio_of_rounds", Median(http_ratios)},
               {"msgpack_decode_ratio_of_rounds", Median(msgpack_ratios)},
               {"engine_ttft_ms", 1e3 * Median(engine_ttft)}});
  json ttft = TtftFigures(http_ttft, msgpack_ttft);
  ttft.update({{"bench", "http_ttft"}, {"model", args.shape + " " + args.type}});
  figures.Add(ttft);
  return Status::Ok();
}

Status MeasureTtft(const Args& args, client::Client& client, HttpClient& http, Figures& figures) {
  const std::string& model = args.ttft_model;
  HFD_RETURN_IF_ERROR(client.Call("load", {{"model", model}, {"backend", "cpu"}}).status());
  HFD_RETURN_IF_ERROR(http.StreamChat(ChatParams(model, Messages(5000), 1)).status());
  HFD_RETURN_IF_ERROR(DaemonRun(client, "chat", ChatParams(model, Messages(5001), 1)).status());
  std::vector<double> http_ttft, msgpack_ttft;
  for (int i = 0; i < args.ttft_reps; ++i) {
    const json h_messages = Messages(5002 + 2 * i);
    const json m_messages = Messages(5003 + 2 * i);
    Run h, m;
    for (int turn = 0; turn < 2; ++turn) {
      if ((i + turn) % 2 == 0) {
        HFD_ASSIGN_OR_RETURN(h, http.StreamChat(ChatParams(model, h_messages, 1)));
      } else {
        HFD_ASSIGN_OR_RETURN(m, DaemonRun(client, "chat", ChatParams(model, m_messages, 1)));
      }
    }
    http_ttft.push_back(h.ttft_s);
    msgpack_ttft.push_back(m.ttft_s);
  }
  HFD_RETURN_IF_ERROR(client.Call("unload", {{"model", model}}).status());
  json ttft = TtftFigures(http_ttft, msgpack_ttft);
  ttft.update(
      {{"bench", "http_ttft"}, {"model", std::filesystem::path(model).filename().string()}});
  fmt::print("TTFT on {}: HTTP {:.3f} ms, MessagePack {:.3f} ms, paired difference {:.0f} us\n",
             ttft["model"].get<std::string>(), ttft["http_ttft_ms"].get<double>(),
             ttft["msgpack_ttft_ms"].get<double>(),
             ttft["http_minus_msgpack_ttft_us"].get<double>());
  figures.Add(ttft);
  return Status::Ok();
}

Status MeasureModels(const Args& args, const std::vector<std::pair<std::string, HttpTarget>>& doors,
                     Figures& figures) {
  for (const auto& [transport, target] : doors) {
    HFD_ASSIGN_OR_RETURN(const double rps,
                         ClosedLoopGets(target, "/v1/models", args.clients, args.seconds));
    fmt::print("GET /v1/models over {}: {:.0f} requests/s ({} keep-alive clients, {} s)\n",
               transport, rps, args.clients, args.seconds);
    json line = {{"bench", "http_models_rps"},
                 {"transport", transport},
                 {"clients", args.clients},
                 {"seconds", args.seconds},
                 {"requests_per_second", rps}};
    figures.Add(line);
  }
  return Status::Ok();
}

// The TCP listener's URL, as `status` gives it.
Result<std::string> TcpUrl(client::Client& client) {
  HFD_ASSIGN_OR_RETURN(const json status, client.Call("status", json::object()));
  for (const json& l : status.value("http_listeners", json::array())) {
    if (l.contains("url")) {
      std::string url = l["url"];
      return url.substr(0, url.size() - 1);  // without the page's "/"
    }
  }
  return Internal("the daemon lists no TCP listener (HFD_HTTP_LISTEN was set)");
}

// One row per figure, in the order measured.
void PrintTable(const std::vector<json>& lines) {
  fmt::print("\n| figure | value |\n| --- | --- |\n");
  for (const json& l : lines) {
    const std::string bench = l["bench"];
    if (bench == "http_decode") {
      for (const std::string door : {"http", "msgpack"}) {
        fmt::print(
            "| decode, {} ÷ engine | {:.3f} ({:.2f} ÷ {:.2f} tok/s, medians); median of the "
            "rounds' ratios {:.3f} |\n",
            door == "http" ? "HTTP" : "MessagePack", l[door + "_decode_ratio"].get<double>(),
            l[door + "_decode_tps"].get<double>(), l["engine_decode_tps"].get<double>(),
            l[door + "_decode_ratio_of_rounds"].get<double>());
      }
    } else if (bench == "http_ttft") {
      fmt::print("| TTFT, HTTP − MessagePack, {} | {:.0f} µs ({:.3f} vs {:.3f} ms) |\n",
                 l["model"].get<std::string>(), l["http_minus_msgpack_ttft_us"].get<double>(),
                 l["http_ttft_ms"].get<double>(), l["msgpack_ttft_ms"].get<double>());
    } else {
      fmt::print("| GET /v1/models, {} clients, {} | {:.0f} requests/s |\n",
                 l["clients"].get<int>(), l["transport"].get<std::string>(),
                 l["requests_per_second"].get<double>());
    }
  }
}

Status Main(const Args& args) {
  HFD_ASSIGN_OR_RETURN(model::ModelDesc desc, model::PresetDesc(args.shape));
  const std::string path = fmt::format("{}/{}-{}-chat.gguf", args.dir, args.shape, args.type);
  HFD_RETURN_IF_ERROR(EnsureServableModel(std::move(desc), args.type, args.tokenizer, path));
  HFD_ASSIGN_OR_RETURN(auto daemon,
                       DaemonProcess::Start(args.hfd, {"HFD_HTTP_LISTEN=127.0.0.1:0"}));
  HFD_ASSIGN_OR_RETURN(auto client, daemon->Connect());
  HFD_ASSIGN_OR_RETURN(const std::string tcp_url, TcpUrl(*client));
  const HttpTarget unix_socket{"http://hfd", daemon->http_socket()};
  HFD_ASSIGN_OR_RETURN(auto http, HttpClient::Create(unix_socket));
  Figures figures(args.json_out);
  fmt::print("{} {} ({}), CPU backend, {} tokens, {} reps\n", args.shape, args.type, path,
             args.tokens, args.reps);
  HFD_RETURN_IF_ERROR(MeasureDecode(args, path, *client, *http, figures));
  HFD_RETURN_IF_ERROR(MeasureTtft(args, *client, *http, figures));
  HFD_RETURN_IF_ERROR(
      MeasureModels(args, {{"tcp", HttpTarget{tcp_url, ""}}, {"unix", unix_socket}}, figures));
  PrintTable(figures.lines());
  return Status::Ok();
}

}  // namespace
}  // namespace hfd::bench

namespace {

int Run(int argc, char** argv) {
  hfd::bench::Args args;
  CLI::App app{"What the HTTP door costs against the engine and the MessagePack socket"};
  app.add_option("--hfd", args.hfd, "the hfd binary")->required();
  app.add_option("--shape", args.shape, "synthetic shape: tinyllama-1.1b, llama-3.2-1b, ...");
  app.add_option("--type", args.type, "weight mix: Q4_K_M, Q8_0, Q4_0, F16");
  app.add_option("--tokens", args.tokens, "tokens per generation")->check(CLI::Range(2, 512));
  app.add_option("--reps", args.reps, "engine/HTTP/MessagePack rounds")->check(CLI::Range(1, 100));
  app.add_option("--ttft-reps", args.ttft_reps, "HTTP/MessagePack pairs on the tiny model")
      ->check(CLI::Range(1, 2000));
  app.add_option("--clients", args.clients, "keep-alive clients for GET /v1/models")
      ->check(CLI::Range(1, 512));
  app.add_option("--seconds", args.seconds, "how long the GET loop runs per transport")
      ->check(CLI::Range(0.1, 600.0));
  app.add_option("--dir", args.dir, "where synthetic models are written");
  app.add_option("--tokenizer", args.tokenizer, "GGUF file whose tokenizer the model gets");
  app.add_option("--ttft-model", args.ttft_model, "small GGUF model for the TTFT pairs");
  app.add_option("--json", args.json_out, "append JSON lines to this file (- for stdout)");
  CLI11_PARSE(app, argc, argv);
  const hfd::Status status = hfd::bench::Main(args);
  if (!status.ok()) {
    std::fprintf(stderr, "http_bench: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {  // nlohmann::json's, on an answer of another shape
    std::fprintf(stderr, "http_bench: unexpected answer from the daemon: %s\n", e.what());
    return 1;
  }
}
