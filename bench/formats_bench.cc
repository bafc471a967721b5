// Speed of the model-file layer: scalar (de)quantization per type and the time to open
// (map + validate + describe) the fixture models. Prints JSON lines, then a table.
//   formats_bench [fixtures_dir]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "common/log_to_stderr.h"
#include "engine/model/model_files.h"
#include "engine/quant/dequantize.h"

namespace {

using Clock = std::chrono::steady_clock;

// Seconds per call of `fn`, the best of a few repetitions.
template <typename Fn>
double BestSeconds(Fn fn, int reps) {
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = Clock::now();
    fn();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
  }
  return best;
}

struct Row {
  std::string what;
  double value;
  std::string unit;
};

void Print(const Row& r) {
  std::printf("{\"bench\":\"formats\",\"what\":\"%s\",\"value\":%.4g,\"unit\":\"%s\"}\n",
              r.what.c_str(), r.value, r.unit.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  hfd::LogToStderr("formats_bench");  // stdout carries the results
  const std::filesystem::path fixtures =
      argc > 1 ? std::filesystem::path(argv[1]) : std::filesystem::path(HFD_BENCH_FIXTURES);
  std::vector<Row> rows;
  constexpr int64_t kN = 1 << 20;  // values per measurement
  std::vector<float> x(kN), y(kN);
  std::mt19937 rng(1);
  std::normal_distribution<float> dist(0.0f, 0.02f);
  for (float& v : x) v = dist(rng);
  using hfd::TensorType;
  for (TensorType t : {TensorType::kF16, TensorType::kBF16, TensorType::kQ8_0, TensorType::kQ4_0,
                       TensorType::kQ4_1, TensorType::kQ5_0, TensorType::kQ5_1, TensorType::kQ4_K,
                       TensorType::kQ5_K, TensorType::kQ6_K, TensorType::kQ8_K}) {
    std::vector<uint8_t> q(static_cast<size_t>(hfd::RowBytes(t, kN)));
    const double enc = BestSeconds([&] { (void)hfd::QuantizeRow(t, x.data(), q.data(), kN); }, 2);
    const double dec = BestSeconds([&] { (void)hfd::DequantizeRow(t, q.data(), y.data(), kN); }, 5);
    const std::string name = hfd::TypeName(t);
    rows.push_back({"dequantize_" + name, kN / dec / 1e6, "Mvalues/s"});
    rows.push_back({"quantize_" + name, kN / enc / 1e6, "Mvalues/s"});
  }
  for (const char* model : {"gguf/tiny-llama2-Q4_K_M.gguf", "gguf/tiny-qwen2-Q8_0.gguf",
                            "models/tiny-llama3", "models/tiny-qwen2"}) {
    const auto path = fixtures / model;
    if (!std::filesystem::exists(path)) continue;
    bool ok = true;
    const double s = BestSeconds([&] { ok = ok && hfd::model::OpenModelFiles(path).ok(); }, 5);
    if (ok) rows.push_back({std::string("open_") + model, s * 1e3, "ms"});
  }
  for (const Row& r : rows) Print(r);
  std::printf("\n%-40s %12s  %s\n", "measurement", "value", "unit");
  for (const Row& r : rows)
    std::printf("%-40s %12.2f  %s\n", r.what.c_str(), r.value, r.unit.c_str());
  return 0;
}
