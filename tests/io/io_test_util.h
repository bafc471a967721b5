// Helpers for the model-file access tests: files, hostile files, and a bound on time.
#pragma once

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <string_view>

#include "common/unique_fd.h"

namespace hfd::io::testing {

inline void WriteFile(const std::filesystem::path& path, std::string_view bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

inline void MakeFifo(const std::filesystem::path& path) {
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0) << std::strerror(errno);
}

// A listening Unix socket bound at `path`; the socket file stays while the result lives.
inline UniqueFd BindSocket(const std::filesystem::path& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  EXPECT_EQ(::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)), 0)
      << std::strerror(errno);
  return fd;
}

// Runs `open_fifo` (something that opens the FIFO at `fifo`) and returns its result, failing
// the test when it takes more than 5 s. A reader stuck waiting for a writer is then released
// by opening the FIFO for writing, so that the test itself always ends.
template <typename Fn>
auto WithinBoundedTime(const std::filesystem::path& fifo, Fn open_fifo) {
  auto result = std::async(std::launch::async, open_fifo);
  if (result.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    ADD_FAILURE() << "opening the FIFO " << fifo << " blocked";
    const UniqueFd writer(::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
  }
  return result.get();
}

}  // namespace hfd::io::testing
