// kernels_bench: speed of the CPU matmul kernels at TinyLlama-1.1B's shapes, next to the
// machine's memory read bandwidth measured in the same run.
//
//   kernels_bench [--types F16,Q8_0,...] [--min-time SECONDS] [--bandwidth-mib MIB]
//                 [--prefill-tokens N] [--ceiling-only 1] [--layout gguf|rows16]
//
// stdout: one JSON object per line (bench = memory_read_bandwidth | matvec | prefill |
// kernel_ceiling). kernel_ceiling is one thread on a cache-resident matrix timed in thread
// CPU time: what a core can compute, independent of DRAM and of other load on the machine
// (decode is memory-bound when 2 x this exceeds the measured bandwidth).
// stderr: a human table. HFD_CPU_ISA=scalar|avx2|avx512|amx forces a kernel path.
// --layout rows16 times the weights as the CPU backend keeps Q8_0, Q4_0 and Q4_1 where the
// path reads them interleaved (backends/cpu/kernels/rows16_layout.h); other types are skipped.
#include <time.h>
#include <algorithm>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "backends/cpu/kernels/matmul.h"
#include "bench/bandwidth/memory_bandwidth.h"
#include "engine/quant/dequantize.h"

namespace hfd::bench {
namespace {

struct Shape {
  const char* name;
  int64_t rows, cols;
};

// TinyLlama-1.1B: attn q/o (2048x2048), ffn gate/up (5632 out x 2048 in), ffn down
// (2048 out x 5632 in), output head (32000 x 2048).
constexpr Shape kShapes[] = {{"attn_q", 2048, 2048},
                             {"ffn_up", 5632, 2048},
                             {"ffn_down", 2048, 5632},
                             {"output", 32000, 2048}};

struct Options {
  std::vector<TensorType> types = {TensorType::kF32,     TensorType::kF16,    TensorType::kBF16,
                                   TensorType::kQ8_0,    TensorType::kQ4_0,   TensorType::kQ4_1,
                                   TensorType::kQ5_0,    TensorType::kQ5_1,   TensorType::kQ4_K,
                                   TensorType::kQ5_K,    TensorType::kQ6_K,   TensorType::kQ2_K,
                                   TensorType::kQ3_K,    TensorType::kIQ4_NL, TensorType::kIQ4_XS,
                                   TensorType::kIQ3_XXS, TensorType::kIQ3_S,  TensorType::kMXFP4};
  double min_time = 0.5;
  int64_t bandwidth_mib = 1024;
  int64_t prefill_tokens = 128;
  bool ceiling_only = false;  // only kernel_ceiling: seconds per type, for tuning dispatch
  cpu::WeightLayout layout = cpu::WeightLayout::kGguf;
};

bool ParseTypes(const std::string& list, std::vector<TensorType>* out) {
  out->clear();
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = std::min(list.find(',', start), list.size());
    Result<TensorType> t = TensorTypeFromName(list.substr(start, comma - start));
    if (!t.ok()) return false;
    out->push_back(*t);
    start = comma + 1;
  }
  return !out->empty();
}

bool ParseArgs(int argc, char** argv, Options* o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--types") {
      if (!ParseTypes(value, &o->types)) return false;
    } else if (flag == "--min-time") {
      o->min_time = std::atof(value.c_str());
    } else if (flag == "--bandwidth-mib") {
      o->bandwidth_mib = std::atoll(value.c_str());
    } else if (flag == "--prefill-tokens") {
      o->prefill_tokens = std::atoll(value.c_str());
    } else if (flag == "--ceiling-only") {
      o->ceiling_only = value == "1";
    } else if (flag == "--layout" && (value == "gguf" || value == "rows16")) {
      o->layout = value == "rows16" ? cpu::WeightLayout::kRows16 : cpu::WeightLayout::kGguf;
    } else {
      return false;
    }
  }
  return argc % 2 == 1 && o->min_time > 0 && o->bandwidth_mib > 0 && o->prefill_tokens > 0;
}

void CheckOk(const Status& s) {
  if (!s.ok()) {
    std::fprintf(stderr, "kernels_bench: %s\n", s.ToString().c_str());
    std::exit(1);
  }
}

// A weight matrix spread over enough copies (stream_bytes in all) that cycling through
// them streams from DRAM, as decode does (a model's weights dwarf the last-level cache).
class WeightSet {
 public:
  WeightSet(TensorType type, const Shape& shape, int64_t stream_bytes, cpu::WeightLayout layout)
      : row_bytes_(RowBytes(type, shape.cols)) {
    // Quantize a few random rows with the reference encoder, then tile them.
    constexpr int64_t kDistinctRows = 16;
    std::mt19937 rng(1);
    std::normal_distribution<float> dist(0.0f, 0.02f);
    std::vector<float> src(kDistinctRows * shape.cols);
    for (float& f : src) f = dist(rng);
    std::vector<uint8_t> distinct(kDistinctRows * row_bytes_);
    for (int64_t r = 0; r < kDistinctRows; ++r) {
      if (!QuantizeRow(type, src.data() + r * shape.cols, distinct.data() + r * row_bytes_,
                       shape.cols)
               .ok()) {
        // No encoder here for this type (Q2_K, Q3_K, the i-quants): random bytes time the
        // same, as the kernels do not branch on values.
        std::uniform_int_distribution<int> byte(0, 255);
        for (uint8_t& b : distinct) b = static_cast<uint8_t>(byte(rng));
        break;
      }
    }
    bytes_ = shape.rows * row_bytes_;
    copies_ = std::max<int64_t>(1, (stream_bytes + bytes_ - 1) / bytes_);
    data_.resize(copies_ * bytes_);
    for (int64_t r = 0; r < copies_ * shape.rows; ++r) {
      std::memcpy(data_.data() + r * row_bytes_, distinct.data() + (r % kDistinctRows) * row_bytes_,
                  row_bytes_);
    }
    if (layout == cpu::WeightLayout::kRows16) {
      std::vector<uint8_t> gguf = data_;
      for (int64_t c = 0; c < copies_; ++c) {
        CheckOk(cpu::InterleaveRows16(type, gguf.data() + c * bytes_, shape.rows, shape.cols,
                                      std::span(data_.data() + c * bytes_, bytes_)));
      }
    }
  }
  const uint8_t* Next() {
    next_ = (next_ + 1) % copies_;
    return data_.data() + next_ * bytes_;
  }
  int64_t bytes() const { return bytes_; }

 private:
  int64_t row_bytes_, bytes_ = 0, copies_ = 1, next_ = 0;
  std::vector<uint8_t> data_;
};

// Seconds per call: best of 3 rounds, each repeating for min_time / 3.
template <typename Fn>
double TimePerCall(double min_time, Fn fn) {
  double best = 1e30;
  for (int round = 0; round < 3; ++round) {
    int64_t calls = 0;
    const auto t0 = std::chrono::steady_clock::now();
    double elapsed = 0.0;
    do {
      fn();
      ++calls;
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } while (elapsed < min_time / 3);
    best = std::min(best, elapsed / static_cast<double>(calls));
  }
  return best;
}

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Thread-CPU seconds per call, best of 5 rounds of `reps` calls.
template <typename Fn>
double CpuTimePerCall(int reps, Fn fn) {
  double best = 1e30;
  for (int round = 0; round < 5; ++round) {
    const double t0 = ThreadCpuSeconds();
    for (int i = 0; i < reps; ++i) fn();
    best = std::min(best, (ThreadCpuSeconds() - t0) / reps);
  }
  return best;
}

int Run(const Options& o) {
  const std::string isa(cpu::IsaName(cpu::ActiveIsa()));
  cpu::ThreadPool pool1(1), pool2(2);
  const BandwidthResult bw = MeasureReadBandwidth(pool2, o.bandwidth_mib << 20, 5);
  std::printf(
      "{\"bench\":\"memory_read_bandwidth\",\"threads\":%d,\"bytes\":%lld,\"best_gbps\":%.2f,"
      "\"median_gbps\":%.2f}\n",
      bw.threads, static_cast<long long>(bw.bytes), bw.best_gbps, bw.median_gbps);
  std::fprintf(stderr, "memory read bandwidth (%d threads, best of %d): %.1f GB/s\n", bw.threads,
               bw.runs, bw.best_gbps);
  std::fprintf(stderr, "%-6s %-8s %-12s %9s %9s %6s %12s\n", "type", "isa", "shape", "1t GB/s",
               "2t GB/s", "eff", "pp GFLOP/s");

  const int64_t max_cols = 5632;
  std::vector<float> x(o.prefill_tokens * max_cols), y(o.prefill_tokens * 32000);
  std::mt19937 rng(2);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  for (float& f : x) f = dist(rng);

  for (TensorType type : o.types) {
    if (o.layout == cpu::WeightLayout::kRows16 && !cpu::ReadsRows16(cpu::ActiveIsa(), type)) {
      std::fprintf(stderr, "%-6s %-8s: the path does not read this type interleaved\n",
                   TypeName(type).c_str(), isa.c_str());
      continue;
    }
    auto mm = [&](const uint8_t* w, int64_t rows, int64_t cols, int64_t n_tokens,
                  cpu::ThreadPool* pool) {
      return cpu::MatMulOnIsa(cpu::ActiveIsa(), type, w, rows, cols, x.data(), n_tokens, y.data(),
                              pool, cpu::ActPrecision::kInt8, {}, o.layout);
    };
    {
      // 128 x 2048 weights stay in L2 (F16: 512 KiB; only F32's 1 MiB may spill).
      const Shape small{"l2_resident", 128, 2048};
      WeightSet weights(type, small, 0, o.layout);
      const uint8_t* w = weights.Next();
      const double decode =
          CpuTimePerCall(200, [&] { CheckOk(mm(w, small.rows, small.cols, 1, nullptr)); });
      const double prefill = CpuTimePerCall(
          5, [&] { CheckOk(mm(w, small.rows, small.cols, o.prefill_tokens, nullptr)); });
      const double gbps = static_cast<double>(weights.bytes()) / decode / 1e9;
      const double gflops =
          2.0 * static_cast<double>(small.rows * small.cols * o.prefill_tokens) / prefill / 1e9;
      std::printf(
          "{\"bench\":\"kernel_ceiling\",\"type\":\"%s\",\"isa\":\"%s\",\"threads\":1,"
          "\"decode_gbps_per_core\":%.2f,\"prefill_gflops_per_core\":%.1f}\n",
          TypeName(type).c_str(), isa.c_str(), gbps, gflops);
      std::fprintf(stderr, "%-6s %-8s %-12s %9.1f %9s %6s %12.1f   (1 core, CPU time)\n",
                   TypeName(type).c_str(), isa.c_str(), small.name, gbps, "-", "-", gflops);
    }
    for (const Shape& shape : kShapes) {
      if (o.ceiling_only) break;
      WeightSet weights(type, shape, int64_t{768} << 20, o.layout);
      double gbps[2];
      cpu::ThreadPool* pools[2] = {&pool1, &pool2};
      for (int p = 0; p < 2; ++p) {
        const double s = TimePerCall(
            o.min_time, [&] { CheckOk(mm(weights.Next(), shape.rows, shape.cols, 1, pools[p])); });
        gbps[p] = static_cast<double>(weights.bytes()) / s / 1e9;
        std::printf(
            "{\"bench\":\"matvec\",\"type\":\"%s\",\"isa\":\"%s\",\"shape\":\"%s\",\"rows\":%lld,"
            "\"cols\":%lld,\"threads\":%d,\"us\":%.1f,\"gbps\":%.2f,\"efficiency\":%.3f}\n",
            TypeName(type).c_str(), isa.c_str(), shape.name, static_cast<long long>(shape.rows),
            static_cast<long long>(shape.cols), p + 1, s * 1e6, gbps[p], gbps[p] / bw.best_gbps);
      }
      double gflops = 0.0;
      if (shape.rows <= 5632) {  // prefill on the layer shapes only (the head is run once)
        const double s = TimePerCall(o.min_time, [&] {
          CheckOk(mm(weights.Next(), shape.rows, shape.cols, o.prefill_tokens, &pool2));
        });
        gflops = 2.0 * static_cast<double>(shape.rows * shape.cols * o.prefill_tokens) / s / 1e9;
        std::printf(
            "{\"bench\":\"prefill\",\"type\":\"%s\",\"isa\":\"%s\",\"shape\":\"%s\",\"rows\":%lld,"
            "\"cols\":%lld,\"threads\":2,\"tokens\":%lld,\"ms\":%.2f,\"gflops\":%.1f}\n",
            TypeName(type).c_str(), isa.c_str(), shape.name, static_cast<long long>(shape.rows),
            static_cast<long long>(shape.cols), static_cast<long long>(o.prefill_tokens), s * 1e3,
            gflops);
      }
      std::fprintf(stderr, "%-6s %-8s %-12s %9.1f %9.1f %6.2f %12.1f\n", TypeName(type).c_str(),
                   isa.c_str(), shape.name, gbps[0], gbps[1], gbps[1] / bw.best_gbps, gflops);
      std::fflush(stdout);
    }
  }
  return 0;
}

}  // namespace
}  // namespace hfd::bench

int main(int argc, char** argv) {
  hfd::bench::Options options;
  if (!hfd::bench::ParseArgs(argc, argv, &options)) {
    std::fprintf(stderr,
                 "usage: kernels_bench [--types F16,Q8_0,...] [--min-time SECONDS] "
                 "[--bandwidth-mib MIB] [--prefill-tokens N] [--ceiling-only 1] "
                 "[--layout gguf|rows16]\n");
    return 2;
  }
  return hfd::bench::Run(options);
}
