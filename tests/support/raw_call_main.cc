// hfd-test-raw-call SOCKET METHOD [PARAMS_JSON] [NAME=PATH ...]: one request through the
// client library, with nothing added (no path handling, no checks on what it passes), as
// a stock msgpack-rpc client would send it; each NAME=PATH is opened (read-only,
// non-blocking, whatever it is) and passed as a descriptor named NAME. Prints one JSON line: {"result": ...} or {"error": {"code", "message"}},
// with "notifications": [{method, params}, ...];
// exits 0 either way, 2 on bad arguments or when the daemon cannot be reached. Tests run
// it as another user (tests/support/test_user.h).
#include <fcntl.h>

#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/unique_fd.h"
#include "hfd/client.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: hfd-test-raw-call SOCKET METHOD [PARAMS_JSON] [NAME=PATH ...]\n";
    return 2;
  }
  hfd::client::CallOptions options;
  std::vector<hfd::UniqueFd> opened;
  for (int i = 4; i < argc; ++i) {
    const std::string arg = argv[i];
    const std::size_t eq = arg.find('=');
    if (eq == std::string::npos) {
      std::cerr << "hfd-test-raw-call: expected NAME=PATH, got " << arg << "\n";
      return 2;
    }
    const std::string path = arg.substr(eq + 1);
    opened.emplace_back(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!opened.back().valid()) {
      std::cerr << "hfd-test-raw-call: cannot open " << path << "\n";
      return 2;
    }
    options.files.push_back({arg.substr(0, eq), opened.back().get()});
  }
  const nlohmann::json params =
      argc >= 4 ? nlohmann::json::parse(argv[3], nullptr, false) : nlohmann::json::object();
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
  hfd::Result<nlohmann::json> result = (*client)->CallStreaming(argv[2], params, record, options);
  if (result.ok()) {
    out["result"] = *result;
  } else {
    out["error"] = {{"code", std::string(hfd::ErrorCodeName(result.status().code()))},
                    {"message", result.status().message()}};
  }
  std::cout << out.dump() << "\n";
  return 0;
}
