// A small Prometheus registry: counters, gauges and histograms with labels, rendered in
// the text exposition format (version 0.0.4). All methods are thread-safe; families live
// as long as the registry, so references returned by Add* may be kept.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace hfd::daemon::metrics {

// Label values, in the order of the family's label names.
using LabelValues = std::vector<std::string>;

class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names);
  virtual ~Family() = default;
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  const std::string& name() const { return name_; }
  virtual const char* type() const = 0;
  // Appends HELP, TYPE and one line per sample.
  void Render(std::string& out) const;

 protected:
  // `{a="x",b="y"}` for the given values plus an optional extra label (histogram `le`).
  std::string LabelText(const LabelValues& values, const std::string& extra = "") const;
  // Checks the number of values against the label names (a programming error otherwise).
  void CheckArity(const LabelValues& values) const;
  virtual void RenderSamples(std::string& out) const = 0;

  mutable std::mutex mutex_;

 private:
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
};

class Counter : public Family {
 public:
  using Family::Family;
  const char* type() const override { return "counter"; }
  void Increment(const LabelValues& labels = {}, double by = 1);
  double Value(const LabelValues& labels = {}) const;

 private:
  void RenderSamples(std::string& out) const override;
  std::map<LabelValues, double> values_;
};

class Gauge : public Family {
 public:
  using Family::Family;
  const char* type() const override { return "gauge"; }
  void Set(double value, const LabelValues& labels = {});
  void Add(double delta, const LabelValues& labels = {});
  double Value(const LabelValues& labels = {}) const;

 private:
  void RenderSamples(std::string& out) const override;
  std::map<LabelValues, double> values_;
};

class Histogram : public Family {
 public:
  // `buckets`: upper bounds, ascending; +Inf is implicit.
  Histogram(std::string name, std::string help, std::vector<double> buckets,
            std::vector<std::string> label_names);
  const char* type() const override { return "histogram"; }
  void Observe(double value, const LabelValues& labels = {});
  std::uint64_t Count(const LabelValues& labels = {}) const;

 private:
  struct Cell {
    std::vector<std::uint64_t> counts;  // per bucket, not cumulative; last is +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };
  void RenderSamples(std::string& out) const override;
  std::vector<double> buckets_;
  std::map<LabelValues, Cell> cells_;
};

// Buckets for request latencies in milliseconds (0.1 ms .. 60 s).
std::vector<double> LatencyBucketsMs();

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Each returns the family registered under `name`, creating it on first use. Asking
  // for an existing name with another type is a programming error (abort).
  Counter& AddCounter(const std::string& name, const std::string& help,
                      std::vector<std::string> label_names = {});
  Gauge& AddGauge(const std::string& name, const std::string& help,
                  std::vector<std::string> label_names = {});
  Histogram& AddHistogram(const std::string& name, const std::string& help,
                          std::vector<double> buckets, std::vector<std::string> label_names = {});

  // The whole registry in the text exposition format, families sorted by name.
  std::string Render() const;

 private:
  template <typename T, typename... Args>
  T& Add(const std::string& name, Args&&... args);

  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Family>> families_;
};

}  // namespace hfd::daemon::metrics
