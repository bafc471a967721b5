#include "engine/io/read_small_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "common/units.h"

namespace hfd::io {
namespace {

constexpr uint64_t kChunkBytes = uint64_t{1} << 20;

Status TooLargeError(const std::string& label, uint64_t max_bytes) {
  return TooLarge(label + " is larger than " + FormatBytes(static_cast<int64_t>(max_bytes)) +
                  ", the most hfd reads for a file of its kind; is it the right file?");
}

}  // namespace

Result<std::string> ReadSmallFile(const ModelFileSet& files, std::string_view name,
                                  uint64_t max_bytes) {
  HFD_ASSIGN_OR_RETURN(const UniqueFd fd, files.Open(name));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoError("cannot stat " + files.Label(name), errno);
  const uint64_t claimed = static_cast<uint64_t>(std::max<off_t>(st.st_size, 0));
  if (claimed > max_bytes) return TooLargeError(files.Label(name), max_bytes);
  // One byte over the cap tells a file that grew (or lied about its size) from one that fits.
  const uint64_t limit = max_bytes + 1;
  std::string text;
  text.reserve(static_cast<size_t>(std::min(claimed + 1, limit)));
  while (text.size() < limit) {
    const size_t old_size = text.size();
    const size_t want = static_cast<size_t>(std::min(kChunkBytes, limit - old_size));
    text.resize(old_size + want);
    const ssize_t n = ::pread(fd.get(), text.data() + old_size, want, static_cast<off_t>(old_size));
    if (n < 0 && errno == EINTR) {
      text.resize(old_size);
      continue;
    }
    if (n < 0) return ErrnoError("cannot read " + files.Label(name), errno);
    text.resize(old_size + static_cast<size_t>(n));
    if (n == 0) break;
  }
  if (text.size() > max_bytes) return TooLargeError(files.Label(name), max_bytes);
  return text;
}

}  // namespace hfd::io
