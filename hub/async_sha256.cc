#include "hub/async_sha256.h"

#include <cstring>

namespace hfd::hub {

AsyncSha256::AsyncSha256() : worker_([this] { Run(); }) {}

AsyncSha256::~AsyncSha256() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  changed_.notify_all();
  worker_.join();
}

void AsyncSha256::Update(const void* data, size_t size) {
  if (size == 0) return;
  std::vector<char> chunk(size);
  std::memcpy(chunk.data(), data, size);
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [this] { return queued_bytes_ < kMaxQueuedBytes; });
  queued_bytes_ += size;
  queue_.push_back(std::move(chunk));
  changed_.notify_all();
}

void AsyncSha256::Drain(std::unique_lock<std::mutex>& lock) {
  changed_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

std::string AsyncSha256::HexDigest() {
  std::unique_lock<std::mutex> lock(mu_);
  Drain(lock);
  return hasher_.HexDigest();
}

void AsyncSha256::Reset() {
  std::unique_lock<std::mutex> lock(mu_);
  Drain(lock);
  hasher_.Reset();
}

void AsyncSha256::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    changed_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stop requested and nothing left
    std::vector<char> chunk = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    hasher_.Update(chunk.data(), chunk.size());
    lock.lock();
    busy_ = false;
    queued_bytes_ -= chunk.size();
    changed_.notify_all();
  }
}

}  // namespace hfd::hub
