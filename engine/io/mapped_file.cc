#include "engine/io/mapped_file.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <cerrno>

namespace hfd::io {

Result<std::unique_ptr<MappedFile>> MappedFile::Open(const ModelFileSet& files,
                                                     std::string_view name) {
  HFD_ASSIGN_OR_RETURN(const UniqueFd fd, files.Open(name));
  std::string label = files.Label(name);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoError("cannot stat " + label, errno);
  if (st.st_size <= 0) {
    return Corrupt(label + " is empty; delete it and download the model again");
  }
  void* addr = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_SHARED, fd.get(), 0);
  if (addr == MAP_FAILED) return ErrnoError("cannot map " + label, errno);
  return std::unique_ptr<MappedFile>(new MappedFile(
      std::move(label), static_cast<const uint8_t*>(addr), static_cast<uint64_t>(st.st_size)));
}

MappedFile::~MappedFile() { ::munmap(const_cast<uint8_t*>(data_), static_cast<size_t>(size_)); }

}  // namespace hfd::io
