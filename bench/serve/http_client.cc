#include "bench/serve/http_client.h"

#include <curl/curl.h>

#include <atomic>
#include <latch>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace hfd::bench {
namespace {

// What a streamed chat's events told, as they arrived.
struct ChatStream {
  std::string pending;  // bytes after the last complete event
  std::optional<Clock::time_point> first, last;
  int completion_tokens = 0;
  std::string error;  // an error event's message

  void Event(std::string_view event) {
    constexpr std::string_view kData = "data: ";
    if (event.substr(0, kData.size()) != kData || event.substr(kData.size()) == "[DONE]") return;
    const nlohmann::json chunk = nlohmann::json::parse(event.substr(kData.size()), nullptr, false);
    if (!chunk.is_object()) return;
    if (chunk.contains("error")) error = chunk["error"].value("message", "an error event");
    if (chunk.value("usage", nlohmann::json()).is_object()) {
      completion_tokens = chunk["usage"].value("completion_tokens", 0);
    }
    const nlohmann::json& choices = chunk.value("choices", nlohmann::json::array());
    if (!choices.empty() && !choices[0]["delta"].value("content", "").empty()) {
      const auto now = Clock::now();
      if (!first) first = now;
      last = now;
    }
  }
};

size_t OnStreamBytes(char* data, size_t size, size_t count, void* stream) {
  auto& s = *static_cast<ChatStream*>(stream);
  s.pending.append(data, size * count);
  for (size_t end; (end = s.pending.find("\n\n")) != std::string::npos;) {
    s.Event(std::string_view(s.pending).substr(0, end));
    s.pending.erase(0, end + 2);
  }
  return size * count;
}

size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

}  // namespace

HttpClient::HttpClient(HttpTarget target) : target_(std::move(target)) {}

Result<std::unique_ptr<HttpClient>> HttpClient::Create(HttpTarget target) {
  static const CURLcode global = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (global != CURLE_OK) return Internal(curl_easy_strerror(global));
  std::unique_ptr<HttpClient> client(new HttpClient(std::move(target)));
  client->curl_ = curl_easy_init();
  if (client->curl_ == nullptr) return Internal("curl_easy_init failed");
  if (!client->target_.unix_socket.empty()) {
    curl_easy_setopt(client->curl_, CURLOPT_UNIX_SOCKET_PATH, client->target_.unix_socket.c_str());
  }
  curl_easy_setopt(client->curl_, CURLOPT_TCP_NODELAY, 1L);
  return client;
}

HttpClient::~HttpClient() { curl_easy_cleanup(curl_); }

Status HttpClient::Perform(const std::string& what) {
  const CURLcode rc = curl_easy_perform(curl_);
  if (rc != CURLE_OK) return Unavailable(what + ": " + curl_easy_strerror(rc));
  long status = 0;
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) return Internal(what + " answered HTTP " + std::to_string(status));
  return Status::Ok();
}

Result<Run> HttpClient::StreamChat(nlohmann::json body) {
  body["stream"] = true;
  body["stream_options"] = {{"include_usage", true}};
  const std::string text = body.dump();
  const std::string url = target_.base_url + "/v1/chat/completions";
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  ChatStream stream;
  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, text.c_str());
  curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(text.size()));
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &OnStreamBytes);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &stream);
  const auto start = Clock::now();
  const Status performed = Perform("POST " + url);
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(headers);
  HFD_RETURN_IF_ERROR(performed);
  if (!stream.error.empty()) return Internal("the stream ended with an error: " + stream.error);
  if (!stream.first) return Internal("the stream carried no text");
  const int n = stream.completion_tokens;
  const double decode = std::chrono::duration<double>(*stream.last - *stream.first).count();
  return Run{std::chrono::duration<double>(*stream.first - start).count(),
             decode > 0 ? (n - 1) / decode : 0.0, n, 0.0};
}

Status HttpClient::Get(const std::string& path) {
  const std::string url = target_.base_url + path;
  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &Discard);
  return Perform("GET " + url);
}

Result<double> ClosedLoopGets(const HttpTarget& target, const std::string& path, int clients,
                              double seconds) {
  std::vector<std::unique_ptr<HttpClient>> connections;
  for (int i = 0; i < clients; ++i) {
    HFD_ASSIGN_OR_RETURN(auto client, HttpClient::Create(target));
    // Connected (and its first answer taken) before the clock starts.
    HFD_RETURN_IF_ERROR(client->Get(path));
    connections.push_back(std::move(client));
  }
  std::latch go(1);
  std::atomic<long> answered{0};
  std::mutex mu;
  Status failure;  // GUARDED_BY(mu)
  const auto deadline_after = std::chrono::duration<double>(seconds);
  std::vector<std::thread> threads;
  threads.reserve(connections.size());
  for (auto& client : connections) {
    threads.emplace_back([&, c = client.get()] {
      go.wait();
      const auto deadline = Clock::now() + deadline_after;
      while (Clock::now() < deadline) {
        if (Status s = c->Get(path); !s.ok()) {
          std::lock_guard lock(mu);
          if (failure.ok()) failure = s;
          return;
        }
        ++answered;
      }
    });
  }
  const auto start = Clock::now();
  go.count_down();
  for (std::thread& t : threads) t.join();
  const double elapsed = Since(start);
  if (!failure.ok()) return failure;
  return static_cast<double>(answered) / elapsed;
}

}  // namespace hfd::bench
