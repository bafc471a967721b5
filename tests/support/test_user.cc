#include "tests/support/test_user.h"

#include <pwd.h>
#include <sys/stat.h>

#include <cerrno>

namespace hfd::testing {
namespace fs = std::filesystem;

Result<TestUser> LookupTestUser() {
  const passwd* pw = ::getpwnam(kTestUserName);
  if (pw == nullptr) {
    return NotFound(std::string("test user ") + kTestUserName +
                    " does not exist: run the tests as root (the CTest fixture hfd_test_user "
                    "creates it with tests/support/create_test_user.sh)");
  }
  return TestUser{kTestUserName, pw->pw_uid, pw->pw_gid};
}

std::vector<std::string> AsUser(const TestUser& user, const std::vector<std::string>& argv) {
  std::vector<std::string> out = {"/usr/bin/setpriv", "--reuid=" + std::to_string(user.uid),
                                  "--regid=" + std::to_string(user.gid), "--clear-groups", "--"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

Result<fs::path> CopyForAnyone(const fs::path& binary, const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return IoError("cannot create " + dir.string() + ": " + ec.message());
  const fs::path copy = dir / binary.filename();
  fs::copy_file(binary, copy, fs::copy_options::overwrite_existing, ec);
  if (ec) return IoError("cannot copy " + binary.string() + ": " + ec.message());
  if (::chmod(dir.c_str(), 0755) != 0 || ::chmod(copy.c_str(), 0755) != 0) {
    return ErrnoError("chmod " + copy.string(), errno);
  }
  return copy;
}

}  // namespace hfd::testing
