// A separate process that pulls one model, for tests that need two processes or a SIGKILL
// in the middle of a download. Settings come from the environment (HF_ENDPOINT,
// HF_HUB_CACHE, HF_TOKEN, ...). Prints "OK <commit> <downloaded bytes>" or the error.
#include <cstdio>

#include "hub/hub_config.h"
#include "hub/puller.h"
#include "hub/token.h"

int main(int argc, char** argv) {
  using namespace hfd::hub;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s org/name[@rev][:QUANT]\n", argv[0]);
    return 2;
  }
  const Env env = Env::Process();
  auto config = HubConfigFromEnv(env);
  auto token = ResolveToken(std::nullopt, env);
  auto ref = ParseModelRef(argv[1]);
  for (const hfd::Status& s : {config.status(), token.status(), ref.status()}) {
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
  }
  PullOptions options;
  options.retry.initial_backoff = Millis(20);
  auto result = Puller(*config, *token).Pull(*ref, options, {}, nullptr);
  if (!result.ok()) {
    std::fprintf(stderr, "%s\n", result.status().ToString().c_str());
    return 1;
  }
  std::printf("OK %s %llu\n", result->commit.c_str(),
              static_cast<unsigned long long>(result->downloaded_bytes));
  return 0;
}
