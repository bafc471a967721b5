#include "tests/support/fixtures.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace hfd::testing {

namespace fs = std::filesystem;

fs::path FixturesDir() {
  for (const char* var : {"HFD_FIXTURES", "HFD_FIXTURES_DEFAULT"}) {
    const char* value = std::getenv(var);
    if (value != nullptr && *value != '\0' && fs::is_directory(value)) {
      return fs::canonical(value);
    }
  }
  return {};
}

bool RunningInCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

std::string ReadFileOrFail(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot open " << path;
    return "";
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TempDir::TempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/hfd-test-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed for " << pattern;
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

}  // namespace hfd::testing
