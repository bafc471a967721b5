#include "tests/cpu/model_harness.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "backends/cpu/cpu_backend.h"

namespace hfd::testing {

std::unique_ptr<runtime::Session> LoadedModel::NewSession(int32_t n_ctx, int32_t batch,
                                                          runtime::KvType kv) {
  auto session = runtime::Session::Create(*backend, *files, {n_ctx, batch, kv});
  if (!session.ok()) {
    ADD_FAILURE() << session.status().ToString();
    return nullptr;
  }
  return std::move(session).value();
}

LoadedModel LoadOnCpu(const std::filesystem::path& path, int threads,
                      cpu::ActPrecision activations) {
  LoadedModel m;
  auto files = model::OpenModelFiles(path);
  if (!files.ok()) {
    ADD_FAILURE() << path << ": " << files.status().ToString();
    return m;
  }
  m.files = std::move(files).value();
  m.backend = cpu::CreateCpuBackend({threads, activations});
  const Status s = m.backend->LoadWeights(*m.files);
  if (!s.ok()) {
    ADD_FAILURE() << s.ToString();
    m.files.reset();
  }
  return m;
}

std::vector<double> LogSoftmax(std::span<const float> logits) {
  double mx = -INFINITY;
  for (float v : logits) mx = std::max<double>(mx, v);
  double sum = 0.0;
  for (float v : logits) sum += std::exp(v - mx);
  const double lse = mx + std::log(sum);
  std::vector<double> out(logits.size());
  for (size_t i = 0; i < logits.size(); ++i) out[i] = logits[i] - lse;
  return out;
}

double KlDivergence(const std::vector<double>& log_p, const std::vector<double>& log_q) {
  double kl = 0.0;
  for (size_t i = 0; i < log_p.size(); ++i) kl += std::exp(log_p[i]) * (log_p[i] - log_q[i]);
  return kl;
}

int32_t ArgmaxOf(std::span<const float> logits) {
  return static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

}  // namespace hfd::testing

namespace hfd::testing {

double TopTwoGap(std::span<const float> logits) {
  float first = -INFINITY, second = -INFINITY;
  for (float v : logits) {
    if (v > first) {
      second = first;
      first = v;
    } else if (v > second) {
      second = v;
    }
  }
  return double{first} - second;
}

namespace {

// Length of the valid UTF-8 character at s[i..], 0 if invalid; sets *prefix to how many
// bytes form a valid but incomplete start of a character.
size_t Utf8Char(std::string_view s, size_t i, size_t* prefix) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  *prefix = 0;
  if (c < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  size_t k = 1;
  for (; k < len && i + k < s.size(); ++k) {
    const unsigned char cont = b(i + k);
    if (cont < (k == 1 ? lo : 0x80) || cont > (k == 1 ? hi : 0xbf)) break;
  }
  if (k == len) return len;
  *prefix = k;
  return 0;
}

}  // namespace

std::string Utf8Lossy(std::string_view bytes, bool drop_incomplete_tail) {
  std::string out;
  for (size_t i = 0; i < bytes.size();) {
    size_t prefix = 0;
    const size_t len = Utf8Char(bytes, i, &prefix);
    if (len > 0) {
      out.append(bytes.substr(i, len));
      i += len;
      continue;
    }
    const size_t bad = std::max<size_t>(prefix, 1);
    if (drop_incomplete_tail && prefix > 0 && i + prefix == bytes.size()) break;
    out += "\xEF\xBF\xBD";
    i += bad;
  }
  return out;
}

}  // namespace hfd::testing
