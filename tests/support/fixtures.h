// Locating the conformance fixtures (../shared/fixtures, or $HFD_FIXTURES) from a test.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace hfd::testing {

// The fixtures directory: $HFD_FIXTURES if set, else the path CMake recorded
// ($HFD_FIXTURES_DEFAULT, normally ../shared/fixtures beside the checkout).
// Empty when neither exists.
std::filesystem::path FixturesDir();

// True when running under CI (CI=true), where missing fixtures are a failure, not a skip.
bool RunningInCi();

// Reads a whole file; fails the current test (ADD_FAILURE) and returns "" when it cannot.
std::string ReadFileOrFail(const std::filesystem::path& path);

// A fresh directory under $TMPDIR, removed with everything in it when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace hfd::testing

// Binds `var` to the fixtures directory; skips the test when the fixtures are missing,
// or fails it when running under CI=true.
#define HFD_REQUIRE_FIXTURES(var)                                                       \
  const std::filesystem::path var = ::hfd::testing::FixturesDir();                      \
  if (var.empty()) {                                                                    \
    if (::hfd::testing::RunningInCi()) {                                                \
      GTEST_FAIL() << "conformance fixtures not found (set HFD_FIXTURES or place them " \
                      "at ../shared/fixtures); under CI=true this is a failure";        \
    } else {                                                                            \
      GTEST_SKIP() << "conformance fixtures not found; set HFD_FIXTURES to run this";   \
    }                                                                                   \
  }
