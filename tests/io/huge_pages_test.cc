// Weights and the KV cache in 2 MiB pages: the memory is what the callers asked for (zeroed,
// aligned, the exact size), and the kernel was asked for huge pages behind it and behind a
// mapped model file (the mapping's "hg" flag in /proc/self/smaps). Whether the kernel then
// gives huge pages depends on its settings, so that is measured in bench/, not asserted.
#include "engine/io/huge_pages.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

#include "engine/io/local_file_set.h"
#include "engine/io/mapped_file.h"
#include "tests/io/io_test_util.h"
#include "tests/support/fixtures.h"

namespace hfd::io {
namespace {

// The VmFlags of the mapping that holds `addr`, from /proc/self/smaps; empty if none does.
std::string VmFlagsAt(const void* addr) {
  const auto at = reinterpret_cast<uintptr_t>(addr);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t from = 0, to = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> from >> dash >> to && dash == '-' && line.find(':') > line.find(' ')) {
      inside = from <= at && at < to;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line;
    }
  }
  return {};
}

// Where the kernel has transparent huge pages at all (a kernel without them refuses the
// advice, and memory stays in small pages as before).
bool KernelHasHugePages() {
  return std::filesystem::exists("/sys/kernel/mm/transparent_hugepage/enabled");
}

TEST(HugePageMemory, IsZeroedAlignedAndExactlyTheSizeAsked) {
  const size_t size = 5 * kHugePageBytes + 3;
  Result<HugePageMemory> m = HugePageMemory::Allocate(size, "test weights");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->size(), size);
  EXPECT_EQ(m->span().size(), size);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(m->data()) % kHugePageBytes, 0u);
  size_t nonzero = 0;
  for (size_t i = 0; i < size; i += 4093) nonzero += m->data()[i] != 0;
  EXPECT_EQ(nonzero, 0u);
  m->data()[0] = 1;
  m->data()[size - 1] = 2;
  EXPECT_EQ(m->data()[size - 1], 2);
  if (KernelHasHugePages()) {
    EXPECT_NE(VmFlagsAt(m->data()).find(" hg"), std::string::npos) << VmFlagsAt(m->data());
  }
}

TEST(HugePageMemory, LessThanAHugePageStaysInSmallPages) {
  Result<HugePageMemory> m =
      HugePageMemory::Allocate(kHugePageBytes - 1, "a tiny model's KV cache");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->size(), kHugePageBytes - 1);
  m->data()[kHugePageBytes - 2] = 7;
  EXPECT_EQ(VmFlagsAt(m->data()).find(" hg"), std::string::npos) << VmFlagsAt(m->data());
}

TEST(HugePageMemory, MovesOwnershipAndEmptyHoldsNothing) {
  Result<HugePageMemory> m = HugePageMemory::Allocate(kHugePageBytes, "test weights");
  ASSERT_TRUE(m.ok());
  uint8_t* data = m->data();
  HugePageMemory moved = std::move(*m);
  EXPECT_EQ(moved.data(), data);
  EXPECT_EQ(m->data(), nullptr);
  EXPECT_EQ(m->size(), 0u);
  HugePageMemory other;
  other = std::move(moved);
  EXPECT_EQ(other.data(), data);
  Result<HugePageMemory> none = HugePageMemory::Allocate(0, "nothing");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->data(), nullptr);
  EXPECT_EQ(none->size(), 0u);
}

TEST(HugePageMemory, MoreThanTheAddressSpaceHoldsIsAnErrorThatSaysWhat) {
  Result<HugePageMemory> m = HugePageMemory::Allocate(size_t{1} << 62, "the KV cache");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), ErrorCode::kOutOfMemory);
  EXPECT_NE(m.status().message().find("the KV cache"), std::string::npos) << m.status().message();
}

TEST(HugePageMemory, AMappedModelFileIsAdvised) {
  if (!KernelHasHugePages()) GTEST_SKIP() << "this kernel has no transparent huge pages";
  hfd::testing::TempDir dir;
  const std::filesystem::path path = dir.path() / "weights.bin";
  testing::WriteFile(path, std::string(kHugePageBytes + 4096, 'w'));
  Result<LocalFile> local = OpenLocalFile(path);
  ASSERT_TRUE(local.ok()) << local.status().ToString();
  auto mapped = MappedFile::Open(*local->files, local->name);
  ASSERT_TRUE(mapped.ok()) << mapped.status().ToString();
  const std::string flags = VmFlagsAt((*mapped)->data());
  EXPECT_NE(flags.find(" hg"), std::string::npos) << flags;
}

}  // namespace
}  // namespace hfd::io
