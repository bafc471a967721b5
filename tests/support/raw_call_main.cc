// hfd-test-raw-call SOCKET METHOD [PARAMS_JSON]: one request through the client library,
// with nothing added (no descriptors, no path handling), as a stock msgpack-rpc client
// would send it. Prints one JSON line: {"result": ...} or {"error": {"code", "message"}},
// with "notifications": [{method, params}, ...];
// exits 0 either way, 2 on bad arguments or when the daemon cannot be reached. Tests run
// it as another user (tests/support/test_user.h).
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "hfd/client.h"

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    std::cerr << "usage: hfd-test-raw-call SOCKET METHOD [PARAMS_JSON]\n";
    return 2;
  }
  const nlohmann::json params =
      argc == 4 ? nlohmann::json::parse(argv[3], nullptr, false) : nlohmann::json::object();
  if (params.is_discarded()) {
    std::cerr << "hfd-test-raw-call: PARAMS_JSON is not JSON\n";
    return 2;
  }
  auto client = hfd::client::Client::Connect(argv[1]);
  if (!client.ok()) {
    std::cerr << "hfd-test-raw-call: " << client.status().ToString() << "\n";
    return 2;
  }
  nlohmann::json out = {{"notifications", nlohmann::json::array()}};
  const hfd::client::NotificationHandler record = [&out](const std::string& method,
                                                         const nlohmann::json& p) {
    out["notifications"].push_back({{"method", method}, {"params", p}});
  };
  hfd::Result<nlohmann::json> result = (*client)->CallStreaming(argv[2], params, record);
  if (result.ok()) {
    out["result"] = *result;
  } else {
    out["error"] = {{"code", std::string(hfd::ErrorCodeName(result.status().code()))},
                    {"message", result.status().message()}};
  }
  std::cout << out.dump() << "\n";
  return 0;
}
