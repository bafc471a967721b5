// Metrics and spans of the serving methods: every generate/chat/embed request is counted once,
// when it is answered, in llm_requests (and in llm_failures when the answer is an error),
// so the counters add up exactly; an `ai_completion` span records each one. The `model`
// label is the name only for models that were pulled or loaded (serve::Service::
// MetricLabel), so made-up names cannot grow the metrics. The `api` label tells the doors
// apart (MessagePack, OpenAI- and Ollama-compatible HTTP).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "daemon/request_context.h"
#include "daemon/services.h"
#include "hfd/status.h"
#include "serve/model_manager.h"

namespace hfd::daemon {

// What one answered generate/chat (or embed: RecordEmbedding) request reports.
struct CompletionRecord {
  std::string api = "msgpack";  // the door: "msgpack", "openai" or "ollama"
  std::string model;            // as the client named it
  uid_t owner = 0;              // who asked (its history shows the span)
  std::string backend;          // "" when it failed before a model was resident
  Status error;                 // OK on success
  std::string output;           // the generated text
  std::string stop_reason;
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  int64_t inputs = 0;  // embed: how many texts
  std::chrono::system_clock::time_point start;
  std::chrono::steady_clock::time_point received;
};

// A record of the request `ctx` carries: its start, owner and `model` param.
CompletionRecord RecordOf(const RequestContext& ctx);

// Thread-safe.
class ServeTelemetry {
 public:
  explicit ServeTelemetry(DaemonServices& services);

  void RecordCompletion(const CompletionRecord& record);
  // An embed request, in the llm_embedding_* metrics and an `ai_embedding` span (no output
  // captured: vectors are not text).
  void RecordEmbedding(const CompletionRecord& record);
  // Samples the per-model gauges; called on the loop thread before metrics render.
  void Refresh(const serve::ModelManager& manager);

 private:
  // The pool gauges of one model (zeros once it is gone).
  void SetPoolGauges(const std::string& model, const serve::ResidentInfo& info);
  // Adds what a model's prefix cache counted since the last Refresh to the counters.
  void CountPrefixCache(const std::string& model, const serve::ResidentInfo& info);

  // A model's prefix cache figures as last counted, for the load they came from: the
  // counters go on across unloads and reloads, each load counting from 0.
  struct PrefixCounts {
    std::chrono::system_clock::time_point loaded_at;
    int64_t lookups = 0, hits = 0, tokens_saved = 0;
  };

  DaemonServices& services_;
  metrics::Counter& requests_;
  metrics::Counter& failures_;
  metrics::Histogram& duration_ms_;
  metrics::Counter& prompt_tokens_;
  metrics::Counter& completion_tokens_;
  metrics::Counter& embedding_requests_;
  metrics::Counter& embedding_failures_;
  metrics::Counter& embedding_tokens_;
  metrics::Gauge& queue_length_;
  metrics::Gauge& models_resident_;
  metrics::Gauge& model_memory_;
  metrics::Gauge& kv_blocks_;
  metrics::Counter& prefix_lookups_;
  metrics::Counter& prefix_hits_;
  metrics::Counter& prefix_tokens_saved_;
  std::set<std::string> seen_models_;                // loop thread only (Refresh)
  std::map<std::string, PrefixCounts> prefix_seen_;  // by model; loop thread only
};

}  // namespace hfd::daemon
