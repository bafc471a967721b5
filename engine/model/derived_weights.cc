#include "engine/model/derived_weights.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>

#include <spdlog/spdlog.h>

#include "common/units.h"

namespace hfd::model {
namespace {

constexpr char kMagic[] = "HFD derived weights\n";
constexpr uint64_t kHeaderAlign = 4096;  // tensors start on a page of their own
constexpr uint64_t kTensorAlign = 64;
constexpr char kWritableHint[] =
    "; hfd keeps the weights it repacks at load there, so that later loads map them: make "
    "it writable by the daemon's user";

// ErrnoError's status for `what`, followed by what to do about it.
Status NotWritable(const std::string& what, int err) {
  const Status st = ErrnoError(what, err);
  return {st.code(), st.message() + kWritableHint};
}

uint64_t RoundUp(uint64_t n, uint64_t to) { return (n + to - 1) / to * to; }

// A derived file's header, where each tensor starts, and the file's size.
struct Layout {
  std::string header;  // padded to where the first tensor starts
  std::vector<uint64_t> offsets;
  uint64_t size = 0;
};

// The header spells out the key and the table, so a file is current exactly when its
// first bytes equal this one's and its size is `size`: nothing in it is parsed.
Layout MakeLayout(const DerivedKey& key, const std::vector<DerivedTensor>& tensors) {
  std::string text = kMagic;
  text += "kind " + key.kind + "\nlayout " + std::to_string(key.layout_version) + "\n";
  for (const std::string& source : key.sources) text += "source " + source + "\n";
  uint64_t at = 0;
  Layout layout;
  for (const DerivedTensor& t : tensors) {
    text += "tensor " + t.name + " type " + std::to_string(static_cast<int>(t.type)) + " shape";
    for (const int64_t d : t.shape) text += " " + std::to_string(d);
    text += " at " + std::to_string(at) + " bytes " + std::to_string(t.nbytes) + "\n";
    layout.offsets.push_back(at);
    at += RoundUp(t.nbytes, kTensorAlign);
  }
  text.resize(RoundUp(text.size() + 1, kHeaderAlign), '\0');
  for (uint64_t& offset : layout.offsets) offset += text.size();
  layout.size = text.size() + at;
  layout.header = std::move(text);
  return layout;
}

// FNV-1a: names the file only; the header, compared whole, decides whether it is current.
std::string HashHex(std::string_view text) {
  uint64_t h = 14695981039346656037ULL;
  for (const char c : text) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ULL;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

// The derived folder beneath `parent`, each component created when missing and none
// reached through a symlink.
Result<UniqueFd> OpenFolder(const std::filesystem::path& parent, const std::string& folder) {
  UniqueFd fd(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("cannot open the folder " + parent.string(), errno);
  std::filesystem::path at = parent;
  for (const std::filesystem::path& part : std::filesystem::path(folder)) {
    at /= part;
    if (::mkdirat(fd.get(), part.c_str(), 0755) != 0 && errno != EEXIST) {
      return NotWritable("cannot create " + at.string(), errno);
    }
    const int next =
        ::openat(fd.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    const int err = errno;
    fd.Reset(next);
    if (next < 0) {
      if (err == ELOOP || err == ENOTDIR) {
        return PermissionDenied(at.string() + " is a symlink or not a folder; remove it");
      }
      return ErrnoError("cannot open " + at.string(), err);
    }
  }
  return fd;
}

// The current file `name` in `dir`, mapped; NotFound (with why) when it is missing or is not
// whole and current, so that the caller builds it.
Result<std::unique_ptr<io::MappedFile>> MapCurrent(int dir, const std::string& name,
                                                   const std::filesystem::path& path,
                                                   const Layout& layout) {
  const UniqueFd fd(::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return NotFound(ErrnoError("cannot open " + path.string(), errno).message());
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return NotFound(path.string() + " is not a regular file");
  }
  if (static_cast<uint64_t>(st.st_size) != layout.size) {
    return NotFound(path.string() + " has " + std::to_string(st.st_size) + " bytes, not " +
                    std::to_string(layout.size));
  }
  std::string header(layout.header.size(), '\0');
  if (::pread(fd.get(), header.data(), header.size(), 0) != static_cast<ssize_t>(header.size()) ||
      header != layout.header) {
    return NotFound(path.string() + "'s header is not this load's (another source or layout)");
  }
  return io::MappedFile::FromFd(fd, path.string());
}

Status NoSpace(const std::filesystem::path& path, uint64_t needed, uint64_t free) {
  return IoError("writing " + path.string() + " needs " +
                 FormatBytes(static_cast<int64_t>(needed)) + " (" + std::to_string(needed) +
                 " bytes) of disk space, and " + FormatBytes(static_cast<int64_t>(free)) +
                 " are free there; free that much (it is written once, and later loads map "
                 "it), or move the cache to a larger disk");
}

// A temporary file in the derived folder, removed unless Keep() was called.
class TempFile {
 public:
  TempFile(int dir, std::string name, UniqueFd fd)
      : dir_(dir), name_(std::move(name)), fd_(std::move(fd)) {}
  ~TempFile() {
    if (!name_.empty()) ::unlinkat(dir_, name_.c_str(), 0);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  int fd() const { return fd_.get(); }
  const std::string& name() const { return name_; }
  void Keep() { name_.clear(); }

 private:
  int dir_;
  std::string name_;
  UniqueFd fd_;
};

// Runs every tensor's fill into the writable mapping `base`, logging progress.
Status FillAll(uint8_t* base, const std::vector<DerivedTensor>& tensors, const Layout& layout,
               const std::filesystem::path& path) {
  std::copy(layout.header.begin(), layout.header.end(), base);
  uint64_t done = 0;
  int tenths = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    HFD_RETURN_IF_ERROR(tensors[i].fill(std::span(base + layout.offsets[i], tensors[i].nbytes)));
    done += tensors[i].nbytes;
    const auto now = static_cast<int>(done * 10 / std::max<uint64_t>(layout.size, 1));
    if (now > tenths) {
      tenths = now;
      spdlog::info("{}: {}0% written", path.string(), tenths);
    }
  }
  return Status::Ok();
}

// Writes `layout` and the tensors to a temporary file beside `name` and renames it into
// place, with fsync of the file and of the folder.
Status Build(int dir, const std::string& name, const std::filesystem::path& path,
             const Layout& layout, const std::vector<DerivedTensor>& tensors) {
  struct statvfs fs {};
  if (::fstatvfs(dir, &fs) == 0) {
    const uint64_t free = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
    if (free < layout.size) return NoSpace(path, layout.size, free);
  }
  static std::atomic<uint64_t> counter{0};
  const std::string tmp_name =
      "." + name + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(++counter);
  UniqueFd fd(
      ::openat(dir, tmp_name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    return NotWritable("cannot create a file in " + path.parent_path().string(), errno);
  }
  TempFile tmp(dir, tmp_name, std::move(fd));
  // Allocated up front: a full disk is an error here, not SIGBUS when the mapping is written.
  if (const int err = ::posix_fallocate(tmp.fd(), 0, static_cast<off_t>(layout.size)); err != 0) {
    if (err == ENOSPC) return NoSpace(path, layout.size, 0);
    return ErrnoError("cannot allocate " + path.string(), err);
  }
  void* map = ::mmap(nullptr, layout.size, PROT_READ | PROT_WRITE, MAP_SHARED, tmp.fd(), 0);
  if (map == MAP_FAILED) return ErrnoError("cannot map " + tmp.name(), errno);
  spdlog::info("writing {} ({}) once; later loads map it", path.string(),
               FormatBytes(static_cast<int64_t>(layout.size)));
  Status st = FillAll(static_cast<uint8_t*>(map), tensors, layout, path);
  if (st.ok() && ::msync(map, layout.size, MS_SYNC) != 0) {
    st = ErrnoError("cannot write " + path.string(), errno);
  }
  ::munmap(map, layout.size);
  HFD_RETURN_IF_ERROR(st);
  if (::fsync(tmp.fd()) != 0) return ErrnoError("cannot write " + path.string(), errno);
  if (::renameat(dir, tmp.name().c_str(), dir, name.c_str()) != 0) {
    return ErrnoError("cannot rename a file into " + path.string(), errno);
  }
  tmp.Keep();
  ::fsync(dir);  // the rename outlives a crash
  return Status::Ok();
}

}  // namespace

Result<std::string> SourceIdentity(const io::ModelFileSet& files, std::string_view name) {
  HFD_ASSIGN_OR_RETURN(const UniqueFd fd, files.Open(name));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoError("cannot stat " + files.Label(name), errno);
  return std::string(name) + " size " + std::to_string(st.st_size) + " mtime " +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + " inode " +
         std::to_string(st.st_ino);
}

Result<std::map<std::string, OwnedWeight>> BuildInMemory(
    const std::vector<DerivedTensor>& tensors) {
  std::map<std::string, OwnedWeight> out;
  for (const DerivedTensor& t : tensors) {
    OwnedWeight w{t.type, t.shape, std::vector<uint8_t>(t.nbytes)};
    HFD_RETURN_IF_ERROR(t.fill(w.bytes));
    out[t.name] = std::move(w);
  }
  return out;
}

DerivedWeights::DerivedWeights(std::filesystem::path path, std::unique_ptr<io::MappedFile> file,
                               const std::vector<DerivedTensor>& tensors,
                               const std::vector<uint64_t>& offsets)
    : path_(std::move(path)), file_(std::move(file)) {
  for (size_t i = 0; i < tensors.size(); ++i) {
    views_[tensors[i].name] = WeightView{tensors[i].type, tensors[i].shape,
                                         file_->data() + offsets[i], tensors[i].nbytes};
  }
}

const WeightView* DerivedWeights::Find(std::string_view name) const {
  const auto it = views_.find(name);
  return it == views_.end() ? nullptr : &it->second;
}

std::vector<std::string> DerivedWeights::names() const {
  std::vector<std::string> out;
  for (const auto& [name, view] : views_) out.push_back(name);
  return out;
}

Result<std::unique_ptr<DerivedWeights>> DerivedStore::OpenOrBuild(
    const DerivedKey& key, const std::vector<DerivedTensor>& tensors) const {
  const Layout layout = MakeLayout(key, tensors);
  const std::string name = key.kind + "-" + HashHex(layout.header) + ".bin";
  const std::filesystem::path path = dir() / name;
  HFD_ASSIGN_OR_RETURN(const UniqueFd fd, OpenFolder(parent_, folder_));
  Result<std::unique_ptr<io::MappedFile>> file = MapCurrent(fd.get(), name, path, layout);
  if (!file.ok() && file.status().code() == ErrorCode::kNotFound) {
    spdlog::info("building {}: {}", path.string(), file.status().message());
    HFD_RETURN_IF_ERROR(Build(fd.get(), name, path, layout, tensors));
    file = MapCurrent(fd.get(), name, path, layout);
  }
  HFD_RETURN_IF_ERROR(file.status());
  return std::unique_ptr<DerivedWeights>(
      new DerivedWeights(path, std::move(file).value(), tensors, layout.offsets));
}

const WeightView* DerivedViews::Find(std::string_view name) const {
  if (file_ != nullptr) return file_->Find(name);
  const auto it = memory_views_.find(name);
  return it == memory_views_.end() ? nullptr : &it->second;
}

std::vector<std::string> DerivedViews::names() const {
  if (file_ != nullptr) return file_->names();
  std::vector<std::string> out;
  for (const auto& [name, view] : memory_views_) out.push_back(name);
  return out;
}

Status DerivedViews::CheckIntact() const {
  return file_ != nullptr ? file_->CheckIntact() : Status::Ok();
}

Result<std::unique_ptr<DerivedViews>> DeriveWeights(const DerivedStore* store,
                                                    const DerivedKey& key,
                                                    const std::vector<DerivedTensor>& tensors,
                                                    std::string_view what) {
  auto out = std::make_unique<DerivedViews>();
  if (store != nullptr) {
    HFD_ASSIGN_OR_RETURN(out->file_, store->OpenOrBuild(key, tensors));
    return out;
  }
  uint64_t bytes = 0;
  for (const DerivedTensor& t : tensors) bytes += t.nbytes;
  spdlog::info(
      "{} built in memory ({}): hfd has no folder to keep them in for this model (for a Hub "
      "model it writes them once beneath the repo folder and maps them on later loads)",
      what, FormatBytes(static_cast<int64_t>(bytes)));
  HFD_ASSIGN_OR_RETURN(auto built, BuildInMemory(tensors));
  for (auto& [name, w] : built) {
    out->memory_views_[name] = WeightView{w.type, w.shape, w.bytes.data(), w.bytes.size()};
    out->memory_.emplace(name, std::move(w));
  }
  return out;
}

Result<DerivedOrigin> DerivedOrigin::Of(const io::ModelFileSet& files,
                                        const std::vector<std::string>& names,
                                        const DerivedStore* store) {
  DerivedOrigin out;
  if (store != nullptr) out.store_ = *store;
  for (const std::string& name : names) {
    HFD_ASSIGN_OR_RETURN(std::string source, SourceIdentity(files, name));
    out.sources_.push_back(std::move(source));
  }
  out.label_ = names.size() == 1 ? files.Label(names.front()) : files.description();
  return out;
}

Result<std::unique_ptr<DerivedViews>> DerivedOrigin::Derive(
    DerivedKey key, const std::vector<DerivedTensor>& tensors, std::string_view what) const {
  key.sources.insert(key.sources.end(), sources_.begin(), sources_.end());
  return DeriveWeights(store_ ? &*store_ : nullptr, key, tensors,
                       label_ + ": " + std::string(what));
}

}  // namespace hfd::model
