#include "tests/http/http_harness.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>

namespace hfd::testing {
namespace {

// Splits curl's `-i` output: the last header block (after 100-continue and the like) and
// the body.
HttpResult ParseCurlOutput(const CommandResult& r) {
  HttpResult out;
  out.error = r.err;
  std::string rest = r.out;
  while (rest.rfind("HTTP/", 0) == 0) {
    const size_t end = rest.find("\r\n\r\n");
    if (end == std::string::npos) break;
    std::istringstream head(rest.substr(0, end));
    std::string line;
    std::getline(head, line);
    out.status = std::stoi(line.substr(line.find(' ') + 1, 3));
    out.headers.clear();
    while (std::getline(head, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
    }
    rest = rest.substr(end + 4);
  }
  out.body = rest;
  return out;
}

}  // namespace

void HttpTest::StartServing(const std::string& config_toml,
                            const std::function<void(hub::testing::TestHubServer&)>& add,
                            const std::string& model) {
  ASSERT_NO_FATAL_FAILURE(StartHub(add));
  ASSERT_NO_FATAL_FAILURE(StartDaemon(config_toml));
  ASSERT_TRUE(WaitForSocket(http_socket(), std::chrono::seconds(10))) << DaemonLog();
  CallOk("pull", {{"model", model}});
}

std::string HttpTest::http_socket() const { return (daemon_dir() / "hfd-http.sock").string(); }

HttpResult HttpTest::CurlUrl(const std::string& method, const std::string& url,
                             const std::string& body, const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {"/usr/bin/curl", "-sS", "-i", "-N",
                                   "--max-time",    "120", "-X", method};
  if (!body.empty()) {
    argv.insert(argv.end(), {"-H", "Content-Type: application/json", "--data-binary", body});
  }
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(url);
  return ParseCurlOutput(RunCommand(argv));
}

HttpResult HttpTest::Curl(const std::string& method, const std::string& path,
                          const std::string& body, const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"--unix-socket", http_socket()};
  args.insert(args.end(), extra.begin(), extra.end());
  return CurlUrl(method, "http://hfd" + path, body, args);
}

void HttpTest::PrepareNodeClients() {
  const auto unavailable = [](const std::string& why) {
    if (RunningInCi()) {
      GTEST_FAIL() << why;
    } else {
      GTEST_SKIP() << why;
    }
  };
  const std::string node = "/usr/bin/node";
  const std::string npm = "/usr/bin/npm";
  if (::access(node.c_str(), X_OK) != 0 || ::access(npm.c_str(), X_OK) != 0) {
    return unavailable("node and npm are not installed (scripts/install-deps.sh installs them)");
  }
  const char* build = std::getenv("HFD_BUILD_DIR");
  clients_dir_ = std::filesystem::path(build != nullptr ? build : "/tmp") / "http-clients";
  std::filesystem::create_directories(clients_dir_);
  for (const auto& file : std::filesystem::directory_iterator(HFD_HTTP_CLIENTS_DIR)) {
    if (file.is_regular_file()) {
      std::filesystem::copy_file(file.path(), clients_dir_ / file.path().filename(),
                                 std::filesystem::copy_options::overwrite_existing);
    }
  }
  if (std::filesystem::exists(clients_dir_ / "node_modules/openai/package.json") &&
      std::filesystem::exists(clients_dir_ / "node_modules/ollama/package.json")) {
    return;
  }
  const CommandResult ci = RunCommand(
      {"/bin/sh", "-c", "cd '" + clients_dir_.string() + "' && npm ci --no-audit --no-fund"},
      {"PATH=/usr/bin:/bin", "HOME=" + clients_dir_.string()});
  if (ci.exit_code != 0) unavailable("npm ci failed:\n" + ci.out + ci.err);
}

CommandResult HttpTest::Node(const std::string& script, const std::vector<std::string>& args,
                             const std::vector<std::string>& env) {
  std::vector<std::string> argv = {"/usr/bin/node", (clients_dir_ / script).string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, env);
}

nlohmann::json HttpTest::HfctlJson(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {BinaryFromEnv("HFCTL_BIN"), "--socket", socket(), "--json"};
  argv.insert(argv.end(), args.begin(), args.end());
  const CommandResult r = RunCommand(argv);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // One JSON line per event; the last is {"result": ...}.
  std::string last;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) last = line;
  }
  const nlohmann::json parsed = nlohmann::json::parse(last, nullptr, false);
  return parsed.is_object() ? parsed.value("result", nlohmann::json::object())
                            : nlohmann::json::object();
}

nlohmann::json HttpTest::ChatBody(int max_tokens, bool stream) {
  return {{"model", kHttpModel},
          {"messages", {{{"role", "user"}, {"content", "Tell me about the sea."}}}},
          {"max_tokens", max_tokens},
          {"temperature", 0},
          {"stream", stream}};
}

int FreeTcpPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

}  // namespace hfd::testing
