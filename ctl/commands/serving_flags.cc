#include "ctl/commands/serving_flags.h"

#include "common/units.h"
#include "ctl/commands/setting_rules.h"

namespace hfd::ctl {
namespace {

// One value per occurrence, every occurrence kept: `--stop a --stop b`, so that a
// positional argument after the option is never swallowed.
void Repeatable(CLI::Option* option) {
  option->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

template <typename T>
void PutIfSet(nlohmann::json& params, const char* name, const std::optional<T>& value) {
  if (value) params[name] = *value;
}

// A --keep-alive that is not a duration is a usage error, caught while parsing.
CLI::Validator DurationValidator() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        // CLI11 names the option itself, so the message starts after ParseDuration's prefix.
        constexpr std::string_view kWhat = "--keep-alive";
        Result<double> seconds = ParseDurationSeconds(text, kWhat);
        return seconds.ok() ? "" : seconds.status().message().substr(kWhat.size() + 2);
      },
      "DURATION");
}

}  // namespace

void AddLoadFlags(CLI::App& sub, LoadFlags& flags, bool queue_flags) {
  sub.add_option("--backend", flags.backend, "Backend to load the model on")
      ->check(CLI::IsMember({"auto", "vulkan", "cpu"}));
  sub.add_option("--device", flags.device, "Vulkan device: index or part of its name");
  sub.add_option("--ctx", flags.ctx, "Context size in tokens (KV cache positions per slot)")
      ->check(NumberValidator(rules::kCtx));
  sub.add_option("--keep-alive", flags.keep_alive,
                 "How long the model stays loaded after its last request: 300, 5m, 1h; 0 "
                 "unloads right after it, -1 keeps it loaded")
      ->check(DurationValidator());
  if (!queue_flags) return;
  sub.add_option("--max-concurrency", flags.max_concurrency, "Requests running at once (1-64)")
      ->check(NumberValidator(rules::kMaxConcurrency));
  sub.add_option("--max-queue", flags.max_queue, "Requests waiting before 'busy' errors")
      ->check(NumberValidator(rules::kMaxQueue));
}

void AddGenerationFlags(CLI::App& sub, GenerationFlags& flags, bool raw_flag) {
  sub.add_option("-n,--max-tokens", flags.max_tokens,
                 "Tokens to generate at most (-1: until the context is full)")
      ->check(NumberValidator(rules::kMaxTokens));
  sub.add_option("--temperature", flags.temperature, "Sampling temperature, 0 = greedy")
      ->check(NumberValidator(rules::kTemperature));
  sub.add_option("--top-k", flags.top_k, "Keep the K most likely tokens (0: all)")
      ->check(NumberValidator(rules::kTopK));
  sub.add_option("--top-p", flags.top_p, "Nucleus sampling threshold")
      ->check(NumberValidator(rules::kProbability));
  sub.add_option("--min-p", flags.min_p, "Drop tokens below P times the most likely one")
      ->check(NumberValidator(rules::kProbability));
  sub.add_option("--repeat-penalty", flags.repeat_penalty, "Penalty on recently seen tokens")
      ->check(NumberValidator(rules::kRepeatPenalty));
  sub.add_option("--seed", flags.seed, "Random seed: the same seed gives the same tokens")
      ->check(NumberValidator(rules::kSeed));
  Repeatable(sub.add_option("--stop", flags.stop, "Stop before this text (repeatable)"));
  if (raw_flag) {
    sub.add_flag("--raw", flags.raw, "Don't add the tokenizer's BOS/EOS tokens to the prompt");
  }
}

void AddLoadParams(const LoadFlags& flags, nlohmann::json& params) {
  if (!flags.backend.empty()) params["backend"] = flags.backend;
  if (!flags.device.empty()) params["device"] = flags.device;
  PutIfSet(params, "ctx", flags.ctx);
  PutIfSet(params, "max_concurrency", flags.max_concurrency);
  PutIfSet(params, "max_queue", flags.max_queue);
  if (flags.keep_alive.empty()) return;
  // Checked by DurationValidator; sent as seconds, which every daemon version reads.
  Result<double> seconds = ParseDurationSeconds(flags.keep_alive, "--keep-alive");
  if (seconds.ok()) params["keep_alive"] = *seconds;
}

void AddGenerationParams(const GenerationFlags& flags, bool with_raw, nlohmann::json& params) {
  PutIfSet(params, "max_tokens", flags.max_tokens);
  PutIfSet(params, "temperature", flags.temperature);
  PutIfSet(params, "top_k", flags.top_k);
  PutIfSet(params, "top_p", flags.top_p);
  PutIfSet(params, "min_p", flags.min_p);
  PutIfSet(params, "repeat_penalty", flags.repeat_penalty);
  PutIfSet(params, "seed", flags.seed);
  if (!flags.stop.empty()) params["stop"] = flags.stop;
  if (with_raw && flags.raw) params["raw"] = true;
}

}  // namespace hfd::ctl
