#include "tests/hub/test_hub_server.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>

#include "hub/hub_client.h"

namespace hfd::hub::testing {

std::string TinyLlamaConfigJson(unsigned seed) {
  return R"({"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 64,
    "hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 4,
    "num_key_value_heads": 2, "intermediate_size": 64, "torch_dtype": "float32", "seed": )" +
         std::to_string(seed) + "}";
}

namespace fs = std::filesystem;

TestHubServer::TestHubServer() = default;

TestHubServer::~TestHubServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
}

void TestHubServer::AddFile(const std::string& repo, const std::string& ref,
                            const std::string& path, const std::string& content) {
  const fs::path file = root_.path() / repo / "revisions" / ref / path;
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << content;
}

void TestHubServer::AddRandomFile(const std::string& repo, const std::string& ref,
                                  const std::string& path, size_t size, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::string data(size, '\0');
  for (size_t i = 0; i < size; i += 8) {
    const uint64_t v = rng();
    std::memcpy(data.data() + i, &v, std::min<size_t>(8, size - i));
  }
  AddFile(repo, ref, path, data);
}

void TestHubServer::SetRepoSettings(const std::string& repo, const nlohmann::json& settings) {
  fs::create_directories(root_.path() / repo / "revisions");
  std::ofstream(root_.path() / repo / "repo.json") << settings.dump();
}

bool TestHubServer::Start(const std::vector<std::string>& tokens, int page_size, bool tls) {
  tls_ = tls;
  int out[2];
  if (::pipe(out) != 0) {
    ADD_FAILURE() << "pipe failed";
    return false;
  }
  std::vector<std::string> args = {"python3",     HFD_HUB_SERVER_PY,
                                   "--root",      root_.path().string(),
                                   "--page-size", std::to_string(page_size)};
  for (const std::string& t : tokens) {
    args.push_back("--token");
    args.push_back(t);
  }
  if (tls) args.push_back("--tls");
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp("python3", argv.data());
    _exit(127);
  }
  ::close(out[1]);
  FILE* stream = ::fdopen(out[0], "r");
  char line[256] = {0};
  const bool got = std::fgets(line, sizeof(line), stream) != nullptr;
  std::fclose(stream);
  if (!got || std::sscanf(line, "READY %d %d", &api_port_, &storage_port_) != 2) {
    ADD_FAILURE() << "the test Hub server did not start (python3 " << HFD_HUB_SERVER_PY << ")";
    return false;
  }
  return true;
}

std::string TestHubServer::Admin(const std::string& method, const std::string& path,
                                 const std::string& body) {
  HttpOptions options;
  options.ca_file = ca_file();
  RetryPolicy once;
  once.max_attempts = 1;
  const HubClient client(endpoint(), "", "", once, options, &loop_);
  HttpRequest request;
  request.method = method;
  request.url = endpoint() + path;
  request.body = body;
  request.headers.push_back("Content-Type: application/json");
  auto response = client.Send(request, {"the test Hub's admin API", "", ""}, nullptr);
  if (!response.ok() || response->status != 200) {
    ADD_FAILURE() << "admin request " << path << " failed: " << response.status().ToString();
    return "";
  }
  return response->body;
}

nlohmann::json TestHubServer::Log() {
  nlohmann::json log = nlohmann::json::parse(Admin("GET", "/_admin/log", ""), nullptr, false);
  if (!log.is_array()) {
    ADD_FAILURE() << "the test Hub server's log is not a JSON array";
    return nlohmann::json::array();
  }
  return log;
}

void TestHubServer::Reset() { Admin("POST", "/_admin/reset", "{}"); }

void TestHubServer::SetFaults(const nlohmann::json& faults) {
  Admin("POST", "/_admin/faults", faults.dump());
}

std::vector<nlohmann::json> TestHubServer::Requests(const std::string& kind) {
  std::vector<nlohmann::json> out;
  for (const auto& entry : Log()) {
    if (entry.value("kind", "") == kind) out.push_back(entry);
  }
  return out;
}

}  // namespace hfd::hub::testing
