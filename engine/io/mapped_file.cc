#include "engine/io/mapped_file.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <cerrno>

#include "engine/io/huge_pages.h"
#include "engine/io/mapping_guard.h"

namespace hfd::io {

Result<std::unique_ptr<MappedFile>> MappedFile::Open(const ModelFileSet& files,
                                                     std::string_view name) {
  HFD_ASSIGN_OR_RETURN(const UniqueFd fd, files.Open(name));
  return FromFd(fd, files.Label(name));
}

Result<std::unique_ptr<MappedFile>> MappedFile::FromFd(const UniqueFd& fd, std::string label) {
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoError("cannot stat " + label, errno);
  if (st.st_size <= 0) {
    return Corrupt(label + " is empty; delete it and download the model again");
  }
  void* addr = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_SHARED, fd.get(), 0);
  if (addr == MAP_FAILED) return ErrnoError("cannot map " + label, errno);
  AdviseHugePages(addr, static_cast<size_t>(st.st_size));
  const int slot = MappingGuard::Register(addr, static_cast<size_t>(st.st_size));
  return std::unique_ptr<MappedFile>(new MappedFile(std::move(label),
                                                    static_cast<const uint8_t*>(addr),
                                                    static_cast<uint64_t>(st.st_size), slot));
}

Status MappedFile::CheckIntact() const {
  if (!MappingGuard::Damaged(guard_slot_)) return Status::Ok();
  return Corrupt(label_ +
                 " was truncated or replaced while the model was loaded, so its "
                 "results were wrong; load the model again (hfd unloads it)");
}

MappedFile::~MappedFile() {
  MappingGuard::Unregister(guard_slot_);
  ::munmap(const_cast<uint8_t*>(data_), static_cast<size_t>(size_));
}

}  // namespace hfd::io
