// A mapped model file truncated under the daemon: reads past the new end give zeros and
// mark the file damaged instead of killing the process with SIGBUS; other SIGBUS faults
// stay fatal.
#include "engine/io/mapping_guard.h"

#include <sys/mman.h>
#include <sys/wait.h>

#include "engine/io/local_file_set.h"
#include "engine/io/mapped_file.h"
#include "tests/io/io_test_util.h"
#include "tests/support/fixtures.h"

namespace hfd::io {
namespace {

namespace fs = std::filesystem;
using hfd::testing::TempDir;

constexpr std::size_t kSize = 1 << 20;

// Reads through a volatile pointer so the compiler cannot skip the access.
uint8_t ReadByte(const uint8_t* p) { return *static_cast<const volatile uint8_t*>(p); }

TEST(MappingGuard, AReadPastATruncatedEndGivesZerosAndMarksTheFileDamaged) {
  TempDir dir;
  const fs::path path = dir.path() / "weights.bin";
  testing::WriteFile(path, std::string(kSize, '\x5a'));
  testing::WriteFile(dir.path() / "other.bin", std::string(kSize, '\x11'));
  Result<LocalFile> local = OpenLocalFile(path);
  ASSERT_TRUE(local.ok()) << local.status().ToString();
  auto mapped = MappedFile::Open(*local->files, local->name);
  ASSERT_TRUE(mapped.ok()) << mapped.status().ToString();
  Result<LocalFile> other_local = OpenLocalFile(dir.path() / "other.bin");
  ASSERT_TRUE(other_local.ok());
  auto other = MappedFile::Open(*other_local->files, other_local->name);
  ASSERT_TRUE(other.ok());
  const uint8_t* data = (*mapped)->data();
  EXPECT_EQ(ReadByte(data + kSize - 1), 0x5a);
  EXPECT_TRUE((*mapped)->CheckIntact().ok());

  ASSERT_EQ(::truncate(path.c_str(), 4096), 0);
  EXPECT_EQ(ReadByte(data + kSize - 1), 0);  // would be SIGBUS without the guard
  const Status damaged = (*mapped)->CheckIntact();
  EXPECT_EQ(damaged.code(), ErrorCode::kCorrupt);
  EXPECT_NE(damaged.message().find("truncated"), std::string::npos) << damaged.message();
  EXPECT_NE(damaged.message().find("weights.bin"), std::string::npos) << damaged.message();
  // The other file's mapping is untouched.
  EXPECT_EQ(ReadByte((*other)->data() + kSize - 1), 0x11);
  EXPECT_TRUE((*other)->CheckIntact().ok());
}

TEST(MappingGuard, ASigbusOutsideAGuardedMappingIsStillFatal) {
  TempDir dir;
  const fs::path path = dir.path() / "unguarded.bin";
  testing::WriteFile(path, std::string(kSize, 'x'));
  // Install the guard, as a daemon that mapped a model has.
  Result<LocalFile> local = OpenLocalFile(path);
  ASSERT_TRUE(local.ok());
  auto guarded = MappedFile::Open(*local->files, local->name);
  ASSERT_TRUE(guarded.ok());
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    void* raw = ::mmap(nullptr, kSize, PROT_READ, MAP_SHARED, fd, 0);
    if (raw == MAP_FAILED || ::truncate(path.c_str(), 0) != 0) ::_exit(3);
    ReadByte(static_cast<const uint8_t*>(raw) + kSize - 1);
    ::_exit(0);  // survived: the guard swallowed a fault it does not own
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_FALSE(WIFEXITED(status)) << "exit code " << WEXITSTATUS(status);
}

}  // namespace
}  // namespace hfd::io
