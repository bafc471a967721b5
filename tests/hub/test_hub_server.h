// Runs tests/hub/hub_server.py on loopback ports for one test, with helpers to lay out
// repos, inject faults and read the request log.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hub/transfer_loop.h"
#include "tests/support/fixtures.h"

namespace hfd::hub::testing {

// A config.json of a tiny Llama that the engine accepts; `seed` varies it (and so the
// commit) without changing what it describes.
std::string TinyLlamaConfigJson(unsigned seed = 1);

// Owns the server process (SIGTERM + wait on destruction) and its repo folder.
class TestHubServer {
 public:
  TestHubServer();
  ~TestHubServer();
  TestHubServer(const TestHubServer&) = delete;
  TestHubServer& operator=(const TestHubServer&) = delete;

  // Writes ROOT/<repo>/revisions/<ref>/<path>. Call before or after Start.
  void AddFile(const std::string& repo, const std::string& ref, const std::string& path,
               const std::string& content);
  // A file of `size` deterministic pseudo-random bytes (seeded by `seed`).
  void AddRandomFile(const std::string& repo, const std::string& ref, const std::string& path,
                     size_t size, unsigned seed);
  void SetRepoSettings(const std::string& repo, const nlohmann::json& settings);

  // Starts the server, speaking https with a new self-signed certificate when `tls`; fails
  // the test (ADD_FAILURE) and returns false if it cannot.
  bool Start(const std::vector<std::string>& tokens = {}, int page_size = 50, bool tls = false);

  std::string endpoint() const {
    return (tls_ ? "https" : "http") + std::string("://127.0.0.1:") + std::to_string(api_port_);
  }
  // The certificate to trust when the server speaks https; empty otherwise.
  std::string ca_file() const { return tls_ ? (root_.path() / "tls/cert.pem").string() : ""; }
  int storage_port() const { return storage_port_; }
  const std::filesystem::path& root() const { return root_.path(); }

  nlohmann::json Log();
  void Reset();
  void SetFaults(const nlohmann::json& faults);

  // Requests in the log with this "kind" ("api", "resolve", "storage").
  std::vector<nlohmann::json> Requests(const std::string& kind);

 private:
  std::string Admin(const std::string& method, const std::string& path, const std::string& body);

  ::hfd::testing::TempDir root_;
  pid_t pid_ = -1;
  int api_port_ = 0;
  int storage_port_ = 0;
  bool tls_ = false;
  TransferLoop loop_;  // runs the admin requests
};

}  // namespace hfd::hub::testing
