#include "daemon/loop_poster.h"

namespace hfd::daemon {

LoopPoster::LoopPoster(uv_loop_t* loop) : loop_(loop) {}

LoopPoster::~LoopPoster() = default;

Status LoopPoster::Start() {
  loop_thread_ = std::this_thread::get_id();
  async_ = new uv_async_t;
  async_->data = this;
  if (int rc = uv_async_init(loop_, async_, &LoopPoster::OnAsync); rc != 0) {
    delete async_;
    async_ = nullptr;
    return Internal(std::string("uv_async_init: ") + uv_strerror(rc));
  }
  return Status::Ok();
}

void LoopPoster::Post(std::function<void()> task) {
  std::lock_guard lock(mutex_);
  if (closed_ || async_ == nullptr) return;
  queue_.push_back(std::move(task));
  uv_async_send(async_);
}

void LoopPoster::RunOnLoop(std::function<void()> task) {
  if (OnLoopThread()) {
    task();
  } else {
    Post(std::move(task));
  }
}

void LoopPoster::OnAsync(uv_async_t* handle) { static_cast<LoopPoster*>(handle->data)->Drain(); }

void LoopPoster::Drain() {
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard lock(mutex_);
    tasks.swap(queue_);
  }
  for (auto& task : tasks) task();
}

void LoopPoster::Close() {
  std::vector<std::function<void()>> dropped;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;
    dropped.swap(queue_);
  }
  if (async_ != nullptr) {
    uv_close(reinterpret_cast<uv_handle_t*>(async_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_async_t*>(h); });
    async_ = nullptr;
  }
}

}  // namespace hfd::daemon
