#include "engine/sampling/sampler.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <random>

namespace hfd::sampling {
namespace {

uint64_t SeedOf(const SamplingParams& p) {
  if (p.seed) return *p.seed;
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

}  // namespace

int32_t Argmax(std::span<const float> logits) {
  // The largest value first, in independent lanes (one running maximum would be a chain of
  // dependent compares, twice as slow over a 128k vocabulary), then its first index. A NaN
  // fails every comparison, so it is never kept and never matched.
  constexpr size_t kLanes = 16;
  std::array<float, kLanes> lanes;
  lanes.fill(-std::numeric_limits<float>::infinity());
  const size_t whole = logits.size() / kLanes * kLanes;
  for (size_t i = 0; i < whole; i += kLanes) {
    for (size_t l = 0; l < kLanes; ++l) {
      lanes[l] = logits[i + l] > lanes[l] ? logits[i + l] : lanes[l];
    }
  }
  float best = -std::numeric_limits<float>::infinity();
  for (float v : lanes) best = v > best ? v : best;
  for (size_t i = whole; i < logits.size(); ++i) best = logits[i] > best ? logits[i] : best;
  const auto at = std::ranges::find(logits, best);
  return at == logits.end() ? -1 : static_cast<int32_t>(at - logits.begin());
}

Result<Sampler> Sampler::Create(const SamplingParams& params) {
  HFD_RETURN_IF_ERROR(Validate(params));
  return Sampler(params);
}

Sampler::Sampler(const SamplingParams& params) : params_(params), rng_(SeedOf(params)) {}

void Sampler::ApplyPenalties(std::span<float> logits, std::span<const int32_t> history) {
  const bool active = params_.repetition_penalty != 1.0f || params_.presence_penalty != 0.0f ||
                      params_.frequency_penalty != 0.0f;
  if (!active || params_.penalty_last_n == 0 || history.empty()) return;
  size_t n = params_.penalty_last_n < 0
                 ? history.size()
                 : std::min(history.size(), static_cast<size_t>(params_.penalty_last_n));
  window_.assign(history.end() - static_cast<std::ptrdiff_t>(n), history.end());
  std::sort(window_.begin(), window_.end());
  for (size_t i = 0; i < window_.size();) {
    size_t j = i;
    while (j < window_.size() && window_[j] == window_[i]) ++j;
    const int32_t id = window_[i];
    const float count = static_cast<float>(j - i);
    i = j;
    if (id < 0 || static_cast<size_t>(id) >= logits.size()) continue;
    float& l = logits[static_cast<size_t>(id)];
    l = l > 0.0f ? l / params_.repetition_penalty : l * params_.repetition_penalty;
    l -= count * params_.frequency_penalty + params_.presence_penalty;
  }
}

namespace {

// Ties break by id so that the result never depends on the sort's implementation.
bool Better(const Sampler::Candidate& a, const Sampler::Candidate& b) {
  return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
}

}  // namespace

void Sampler::TopK(std::span<const float> logits) {
  candidates_.clear();
  sorted_ = false;
  const float inv_t = 1.0f / params_.temperature;
  const size_t k = static_cast<size_t>(params_.top_k);
  if (k == 0 || k >= logits.size()) {
    for (size_t i = 0; i < logits.size(); ++i) {
      if (!std::isnan(logits[i]))
        candidates_.push_back({static_cast<int32_t>(i), logits[i] * inv_t, 0.0f});
    }
    return;
  }
  // One pass with a size-k heap whose top is the worst kept candidate: after the first few
  // thousand tokens almost every logit fails the single comparison with that top.
  for (size_t i = 0; i < logits.size(); ++i) {
    const float v = logits[i];
    if (std::isnan(v)) continue;
    Candidate c{static_cast<int32_t>(i), v, 0.0f};
    if (candidates_.size() < k) {
      candidates_.push_back(c);
      std::push_heap(candidates_.begin(), candidates_.end(), Better);
    } else if (Better(c, candidates_.front())) {
      std::pop_heap(candidates_.begin(), candidates_.end(), Better);
      candidates_.back() = c;
      std::push_heap(candidates_.begin(), candidates_.end(), Better);
    }
  }
  std::sort_heap(candidates_.begin(), candidates_.end(), Better);
  for (Candidate& c : candidates_) c.logit *= inv_t;
  sorted_ = true;
}

void Sampler::Softmax() {
  float max_logit = -INFINITY;
  for (const Candidate& c : candidates_) max_logit = std::max(max_logit, c.logit);
  double sum = 0.0;
  for (Candidate& c : candidates_) {
    c.p = std::isinf(max_logit) && std::isinf(c.logit) ? (c.logit == max_logit ? 1.0f : 0.0f)
                                                       : std::exp(c.logit - max_logit);
    sum += c.p;
  }
  for (Candidate& c : candidates_) c.p = static_cast<float>(c.p / sum);
}

void Sampler::TopP() {
  if (params_.top_p >= 1.0f || candidates_.size() <= 1) return;
  if (!sorted_) {
    // Only the tokens up to the nucleus boundary need sorting. Bucket candidates by logit
    // (highest first), find the bucket where the cumulative mass reaches top_p, and sort
    // just the candidates in that bucket and above.
    constexpr int kBuckets = 1024;
    float hi = -INFINITY, lo = INFINITY;
    for (const Candidate& c : candidates_) {
      if (c.p <= 0.0f) continue;
      hi = std::max(hi, c.logit);
      lo = std::min(lo, c.logit);
    }
    const float scale = hi > lo ? (kBuckets - 1) / (hi - lo) : 0.0f;
    auto bucket_of = [&](const Candidate& c) {
      if (c.p <= 0.0f) return kBuckets;
      return std::min(kBuckets - 1, static_cast<int>((hi - c.logit) * scale));
    };
    double mass[kBuckets] = {};
    for (const Candidate& c : candidates_) {
      int b = bucket_of(c);
      if (b < kBuckets) mass[b] += c.p;
    }
    int last = kBuckets - 1;
    double cum = 0.0;
    for (int b = 0; b < kBuckets; ++b) {
      cum += mass[b];
      if (cum >= params_.top_p) {
        last = b;
        break;
      }
    }
    auto end = std::partition(candidates_.begin(), candidates_.end(),
                              [&](const Candidate& c) { return bucket_of(c) <= last; });
    candidates_.erase(end, candidates_.end());
    std::sort(candidates_.begin(), candidates_.end(), Better);
    sorted_ = true;
  }
  double mass = 0.0;
  for (size_t i = 0; i < candidates_.size(); ++i) {
    mass += candidates_[i].p;
    if (mass >= params_.top_p) {
      candidates_.resize(i + 1);
      return;
    }
  }
}

void Sampler::MinP() {
  if (params_.min_p <= 0.0f || candidates_.empty()) return;
  float max_p = 0.0f;
  for (const Candidate& c : candidates_) max_p = std::max(max_p, c.p);
  const float threshold = params_.min_p * max_p;
  std::erase_if(candidates_, [&](const Candidate& c) { return c.p < threshold; });
}

int32_t Sampler::Draw() {
  double total = 0.0;
  for (const Candidate& c : candidates_) total += c.p;
  double u = rng_.Uniform() * total;
  for (const Candidate& c : candidates_) {
    u -= c.p;
    if (u < 0.0) return c.id;
  }
  // Rounding left a sliver above the last candidate: take the last one with mass.
  for (auto it = candidates_.rbegin(); it != candidates_.rend(); ++it) {
    if (it->p > 0.0f) return it->id;
  }
  return candidates_.front().id;
}

Result<int32_t> Sampler::Sample(std::span<float> logits, std::span<const int32_t> history) {
  if (logits.empty()) return InvalidArgument("cannot sample from an empty vocabulary");
  ApplyPenalties(logits, history);
  if (params_.temperature == 0.0f) {
    int32_t id = Argmax(logits);
    if (id < 0) return InvalidArgument("every logit is NaN; the model produced no usable output");
    return id;
  }
  TopK(logits);
  if (candidates_.empty()) {
    return InvalidArgument("every logit is NaN; the model produced no usable output");
  }
  Softmax();
  TopP();
  MinP();
  return Draw();
}

}  // namespace hfd::sampling
