#include "daemon/methods/serve_telemetry.h"

#include <algorithm>
#include <map>

namespace hfd::daemon {
namespace {

constexpr std::size_t kMaxSpanOutputBytes = 4096;

// At most `max` bytes, cut at a UTF-8 character boundary.
std::string TruncateUtf8(const std::string& text, std::size_t max) {
  if (text.size() <= max) return text;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

double MsSinceReceived(const CompletionRecord& r) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - r.received)
      .count();
}

// The span of one request: its name, owner and timing, the attributes every serving span
// has, and the error of a failed one; `extra` attributes added.
Span RequestSpan(std::string name, const CompletionRecord& r, double ms, nlohmann::json extra) {
  Span span;
  span.name = std::move(name);
  span.owner = r.owner;
  span.start = r.start;
  span.duration = std::chrono::microseconds(static_cast<int64_t>(ms * 1000));
  span.attributes = {{"api", r.api},
                     {"model", r.model},
                     {"backend", r.backend},
                     {"prompt_tokens", r.prompt_tokens},
                     {"duration_ms", ms}};
  span.attributes.update(extra);
  if (!r.error.ok()) {
    span.attributes["error"] =
        std::string(ErrorCodeName(r.error.code())) + ": " + r.error.message();
  }
  return span;
}

}  // namespace

CompletionRecord RecordOf(const RequestContext& ctx) {
  CompletionRecord record;
  record.start = std::chrono::system_clock::now();
  record.received = ctx.received();
  record.owner = ctx.peer().uid;
  if (auto it = ctx.params().find("model"); it != ctx.params().end() && it->is_string()) {
    record.model = it->get<std::string>().substr(0, 4096);
  }
  return record;
}

ServeTelemetry::ServeTelemetry(DaemonServices& services)
    : services_(services),
      requests_(services.metrics.AddCounter(
          "llm_requests", "generate and chat requests answered (busy rejections included)",
          {"model", "backend", "api"})),
      failures_(services.metrics.AddCounter("llm_failures",
                                            "generate and chat requests answered with an error",
                                            {"model", "backend", "api", "reason"})),
      duration_ms_(
          services.metrics.AddHistogram("llm_internal_request_duration_ms",
                                        "Time from receiving a generate/chat request to its answer",
                                        metrics::LatencyBucketsMs(), {"model", "backend", "api"})),
      prompt_tokens_(services.metrics.AddCounter("llm_prompt_tokens_total",
                                                 "Prompt tokens of completed requests",
                                                 {"model", "backend", "api"})),
      completion_tokens_(services.metrics.AddCounter("llm_completion_tokens_total",
                                                     "Generated tokens of completed requests",
                                                     {"model", "backend", "api"})),
      embedding_requests_(services.metrics.AddCounter(
          "llm_embedding_requests", "embed requests answered (busy rejections included)",
          {"model", "backend", "api"})),
      embedding_failures_(services.metrics.AddCounter("llm_embedding_failures",
                                                      "embed requests answered with an error",
                                                      {"model", "backend", "api", "reason"})),
      embedding_tokens_(services.metrics.AddCounter("llm_embedding_input_tokens_total",
                                                    "Input tokens of completed embed requests",
                                                    {"model", "backend", "api"})),
      queue_length_(
          services.metrics.AddGauge("hfd_queue_length", "Requests waiting for a slot", {"model"})),
      models_resident_(services.metrics.AddGauge("hfd_models_resident", "Models loaded now")),
      model_memory_(services.metrics.AddGauge("hfd_model_memory_bytes",
                                              "Estimated memory of a resident model", {"model"})),
      kv_blocks_(services.metrics.AddGauge(
          "hfd_kv_pool_blocks",
          "KV pool blocks of a continuously batching model: used by requests, cached (prefix "
          "cache only), total",
          {"model", "state"})),
      prefix_lookups_(services.metrics.AddCounter(
          "hfd_prefix_cache_lookups_total", "Prompts looked up in the prefix cache", {"model"})),
      prefix_hits_(services.metrics.AddCounter("hfd_prefix_cache_hits_total",
                                               "Prompts that found a cached prefix", {"model"})),
      prefix_tokens_saved_(services.metrics.AddCounter(
          "hfd_prefix_cache_saved_tokens_total",
          "Prompt tokens taken from the prefix cache instead of computed", {"model"})) {}

void ServeTelemetry::RecordCompletion(const CompletionRecord& r) {
  const std::string model = services_.service->MetricLabel(r.model);
  const metrics::LabelValues labels{model, r.backend, r.api};
  const double ms = MsSinceReceived(r);
  requests_.Increment(labels);
  duration_ms_.Observe(ms, labels);
  if (!r.error.ok()) {
    failures_.Increment({model, r.backend, r.api, std::string(ErrorCodeName(r.error.code()))});
  }
  // Token counters follow `usage` of the requests that completed: a request refused as
  // busy or cancelled in the queue processed nothing.
  if (r.error.ok()) {
    prompt_tokens_.Increment(labels, static_cast<double>(r.prompt_tokens));
    completion_tokens_.Increment(labels, static_cast<double>(r.completion_tokens));
  }
  nlohmann::json extra = {{"captured_output", TruncateUtf8(r.output, kMaxSpanOutputBytes)},
                          {"completion_tokens", r.completion_tokens}};
  if (r.error.ok()) extra["stop_reason"] = r.stop_reason;
  services_.spans.Record(RequestSpan("ai_completion", r, ms, std::move(extra)));
}

void ServeTelemetry::RecordEmbedding(const CompletionRecord& r) {
  const std::string model = services_.service->MetricLabel(r.model);
  const metrics::LabelValues labels{model, r.backend, r.api};
  embedding_requests_.Increment(labels);
  if (!r.error.ok()) {
    embedding_failures_.Increment(
        {model, r.backend, r.api, std::string(ErrorCodeName(r.error.code()))});
  } else {
    embedding_tokens_.Increment(labels, static_cast<double>(r.prompt_tokens));
  }
  services_.spans.Record(
      RequestSpan("ai_embedding", r, MsSinceReceived(r), {{"inputs", r.inputs}}));
}

void ServeTelemetry::SetPoolGauges(const std::string& model, const serve::ResidentInfo& info) {
  kv_blocks_.Set(info.kv_blocks_used, {model, "used"});
  kv_blocks_.Set(info.kv_blocks_cached, {model, "cached"});
  kv_blocks_.Set(info.kv_blocks_total, {model, "total"});
}

void ServeTelemetry::CountPrefixCache(const std::string& model, const serve::ResidentInfo& info) {
  PrefixCounts& seen = prefix_seen_[model];
  if (seen.loaded_at != info.loaded_at) seen = PrefixCounts{.loaded_at = info.loaded_at};
  const auto count = [&](metrics::Counter& counter, int64_t now, int64_t& last) {
    counter.Increment({model}, static_cast<double>(std::max<int64_t>(now - last, 0)));
    last = now;
  };
  count(prefix_lookups_, info.prefix_lookups, seen.lookups);
  count(prefix_hits_, info.prefix_hits, seen.hits);
  count(prefix_tokens_saved_, info.prefix_tokens_saved, seen.tokens_saved);
}

void ServeTelemetry::Refresh(const serve::ModelManager& manager) {
  const std::vector<serve::ResidentInfo> models = manager.Ps();
  std::map<std::string, const serve::ResidentInfo*> now;
  for (const auto& m : models) {
    if (services_.service->MetricLabel(m.name) == m.name) now[m.name] = &m;
  }
  for (const std::string& name : seen_models_) {
    if (now.count(name) == 0) {
      queue_length_.Set(0, {name});
      model_memory_.Set(0, {name});
      SetPoolGauges(name, serve::ResidentInfo{});
      prefix_seen_.erase(name);
    }
  }
  for (const auto& [name, info] : now) {
    queue_length_.Set(info->queued, {name});
    model_memory_.Set(static_cast<double>(info->memory_bytes), {name});
    SetPoolGauges(name, *info);
    CountPrefixCache(name, *info);
    seen_models_.insert(name);
  }
  models_resident_.Set(static_cast<double>(models.size()));
}

}  // namespace hfd::daemon
