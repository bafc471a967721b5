#include "daemon/metrics/registry.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

namespace hfd::daemon::metrics {
namespace {

std::string Escape(const std::string& s, bool quote) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

void AppendSample(std::string& out, const std::string& name, const std::string& labels,
                  double value) {
  out += name;
  out += labels;
  out += ' ';
  out += FormatValue(value);
  out += '\n';
}

}  // namespace

Family::Family(std::string name, std::string help, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

void Family::Render(std::string& out) const {
  out += "# HELP " + name_ + " " + Escape(help_, false) + "\n";
  out += "# TYPE " + name_ + " " + type() + "\n";
  std::lock_guard lock(mutex_);
  RenderSamples(out);
}

std::string Family::LabelText(const LabelValues& values, const std::string& extra) const {
  if (values.empty() && extra.empty()) return "";
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += label_names_[i] + "=\"" + Escape(values[i], true) + "\"";
  }
  if (!extra.empty()) {
    if (!values.empty()) out += ',';
    out += extra;
  }
  return out + "}";
}

void Family::CheckArity(const LabelValues& values) const {
  if (values.size() != label_names_.size()) {
    std::fprintf(stderr, "metric %s: %zu label values for %zu label names\n", name_.c_str(),
                 values.size(), label_names_.size());
    std::abort();
  }
}

void Counter::Increment(const LabelValues& labels, double by) {
  CheckArity(labels);
  std::lock_guard lock(mutex_);
  values_[labels] += by;
}

double Counter::Value(const LabelValues& labels) const {
  std::lock_guard lock(mutex_);
  auto it = values_.find(labels);
  return it == values_.end() ? 0 : it->second;
}

void Counter::RenderSamples(std::string& out) const {
  for (const auto& [labels, value] : values_) AppendSample(out, name(), LabelText(labels), value);
}

void Gauge::Set(double value, const LabelValues& labels) {
  CheckArity(labels);
  std::lock_guard lock(mutex_);
  values_[labels] = value;
}

void Gauge::Add(double delta, const LabelValues& labels) {
  CheckArity(labels);
  std::lock_guard lock(mutex_);
  values_[labels] += delta;
}

double Gauge::Value(const LabelValues& labels) const {
  std::lock_guard lock(mutex_);
  auto it = values_.find(labels);
  return it == values_.end() ? 0 : it->second;
}

void Gauge::RenderSamples(std::string& out) const {
  for (const auto& [labels, value] : values_) AppendSample(out, name(), LabelText(labels), value);
}

Histogram::Histogram(std::string name, std::string help, std::vector<double> buckets,
                     std::vector<std::string> label_names)
    : Family(std::move(name), std::move(help), std::move(label_names)),
      buckets_(std::move(buckets)) {}

void Histogram::Observe(double value, const LabelValues& labels) {
  CheckArity(labels);
  std::size_t bucket = 0;
  while (bucket < buckets_.size() && value > buckets_[bucket]) ++bucket;
  std::lock_guard lock(mutex_);
  Cell& cell = cells_[labels];
  if (cell.counts.empty()) cell.counts.resize(buckets_.size() + 1);
  ++cell.counts[bucket];
  cell.sum += value;
  ++cell.count;
}

std::uint64_t Histogram::Count(const LabelValues& labels) const {
  std::lock_guard lock(mutex_);
  auto it = cells_.find(labels);
  return it == cells_.end() ? 0 : it->second.count;
}

void Histogram::RenderSamples(std::string& out) const {
  for (const auto& [labels, cell] : cells_) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= buckets_.size(); ++i) {
      cumulative += cell.counts[i];
      const std::string le = i < buckets_.size() ? FormatValue(buckets_[i]) : std::string("+Inf");
      AppendSample(out, name() + "_bucket", LabelText(labels, "le=\"" + le + "\""),
                   static_cast<double>(cumulative));
    }
    AppendSample(out, name() + "_sum", LabelText(labels), cell.sum);
    AppendSample(out, name() + "_count", LabelText(labels), static_cast<double>(cell.count));
  }
}

std::vector<double> LatencyBucketsMs() {
  return {0.1, 0.25, 0.5, 1,    2.5,  5,    10,    25,    50,
          100, 250,  500, 1000, 2500, 5000, 10000, 30000, 60000};
}

template <typename T, typename... Args>
T& Registry::Add(const std::string& name, Args&&... args) {
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(name, std::make_unique<T>(name, std::forward<Args>(args)...)).first;
  }
  T* family = dynamic_cast<T*>(it->second.get());
  if (family == nullptr) {
    std::fprintf(stderr, "metric %s registered twice with different types\n", name.c_str());
    std::abort();
  }
  return *family;
}

Counter& Registry::AddCounter(const std::string& name, const std::string& help,
                              std::vector<std::string> label_names) {
  return Add<Counter>(name, help, std::move(label_names));
}

Gauge& Registry::AddGauge(const std::string& name, const std::string& help,
                          std::vector<std::string> label_names) {
  return Add<Gauge>(name, help, std::move(label_names));
}

Histogram& Registry::AddHistogram(const std::string& name, const std::string& help,
                                  std::vector<double> buckets,
                                  std::vector<std::string> label_names) {
  return Add<Histogram>(name, help, std::move(buckets), std::move(label_names));
}

std::string Registry::Render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) family->Render(out);
  return out;
}

}  // namespace hfd::daemon::metrics
