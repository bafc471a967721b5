#include "engine/model/derived_weights.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <sstream>

#include <spdlog/spdlog.h>

#include "common/units.h"

namespace hfd::model {
namespace {

constexpr char kMagic[] = "HFD derived weights\n";
constexpr uint64_t kHeaderAlign = 4096;  // tensors start on a page of their own
constexpr uint64_t kTensorAlign = 64;
constexpr uint64_t kMaxHeaderRead = uint64_t{1} << 20;  // where Prune stops looking for a header
constexpr int64_t kTempFileIdleSeconds =
    int64_t{24} * 3600;  // a temporary file this idle is left over
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

// The header spells out the key, the store's origin and the table, so a file is current
// exactly when its first bytes equal this one's and its size is `size`: loads parse nothing
// in it (Prune reads the origin and sources back).
Layout MakeLayout(const DerivedKey& key, const std::string& origin,
                  const std::vector<DerivedTensor>& tensors) {
  std::string text = kMagic;
  text += "kind " + key.kind + "\nlayout " + std::to_string(key.layout_version) + "\n";
  if (!origin.empty()) text += "origin " + origin + "\n";
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

// The derived folder beneath `parent`, each component created when missing (`create`; else
// NotFound) and none reached through a symlink.
Result<UniqueFd> OpenFolder(const std::filesystem::path& parent, const std::string& folder,
                            bool create) {
  UniqueFd fd(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid() && errno == ENOENT) {
    if (!create) return NotFound(parent.string() + " does not exist");
    // The parent is the cache's or the daemon's configured folder, links and all: made
    // here, at the first build, so that a daemon that never builds makes nothing.
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return NotWritable("cannot create " + parent.string(), ec.value());
    fd.Reset(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  }
  if (!fd.valid()) return NotWritable("cannot open the folder " + parent.string(), errno);
  std::filesystem::path at = parent;
  for (const std::filesystem::path& part : std::filesystem::path(folder)) {
    at /= part;
    if (create && ::mkdirat(fd.get(), part.c_str(), 0755) != 0 && errno != EEXIST) {
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
      if (!create && err == ENOENT) return NotFound(at.string() + " does not exist");
      return ErrnoError("cannot open " + at.string(), err);
    }
  }
  return fd;
}

// The current file `name` in `dir`, mapped (and, when `mark_used`, its atime set to now);
// NotFound (with why) when it is missing or is not whole and current, so that the caller
// builds it.
Result<std::unique_ptr<io::MappedFile>> MapCurrent(int dir, const std::string& name,
                                                   const std::filesystem::path& path,
                                                   const Layout& layout, bool mark_used) {
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
  if (mark_used) {
    // Best effort: a file that keeps its old atime is only pruned sooner.
    const struct timespec times[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
    ::futimens(fd.get(), times);
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

// Runs every tensor's fill into the writable mapping `base`, logging progress and telling
// `progress` (when set).
Status FillAll(uint8_t* base, const std::vector<DerivedTensor>& tensors, const Layout& layout,
               const std::filesystem::path& path, const BuildProgress& progress) {
  std::copy(layout.header.begin(), layout.header.end(), base);
  uint64_t done = layout.header.size();
  if (progress) progress(path, done, layout.size);
  int tenths = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    HFD_RETURN_IF_ERROR(tensors[i].fill(std::span(base + layout.offsets[i], tensors[i].nbytes)));
    done += RoundUp(tensors[i].nbytes, kTensorAlign);  // reaches layout.size at the end
    const auto now = static_cast<int>(done * 10 / std::max<uint64_t>(layout.size, 1));
    if (now > tenths) {
      tenths = now;
      spdlog::info("{}: {}0% written", path.string(), tenths);
      if (progress) progress(path, done, layout.size);
    }
  }
  return Status::Ok();
}

// Writes `layout` and the tensors to a temporary file beside `name` and renames it into
// place, with fsync of the file and of the folder.
Status Build(int dir, const std::string& name, const std::filesystem::path& path,
             const Layout& layout, const std::vector<DerivedTensor>& tensors,
             const BuildProgress& progress) {
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
  // Written in 2 MiB pages, the file stays cached in them for the loads that map it.
  io::AdviseHugePages(map, layout.size);
  spdlog::info("writing {} ({}) once; later loads map it", path.string(),
               FormatBytes(static_cast<int64_t>(layout.size)));
  Status st = FillAll(static_cast<uint8_t*>(map), tensors, layout, path, progress);
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

// "SEC.NSEC": a file's mtime as a header spells it.
std::string MtimeText(const struct stat& st) {
  return std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

// A source's identity as the header spells it: "name size S mtime SEC.NSEC inode I".
std::string IdentityText(std::string_view name, const struct stat& st) {
  return std::string(name) + " size " + std::to_string(st.st_size) + " mtime " + MtimeText(st) +
         " inode " + std::to_string(st.st_ino);
}

// A "source" line's value, read back; nullopt when it is not IdentityText's form.
std::optional<DerivedSource> ParseSource(const std::string& text) {
  // The name may hold spaces: the six fields after it are read from the end.
  std::vector<std::string> words;
  size_t end = text.size();
  for (int i = 0; i < 6; ++i) {
    const size_t space = text.rfind(' ', end - 1);
    if (space == std::string::npos || space == 0) return std::nullopt;
    words.push_back(text.substr(space + 1, end - space - 1));
    end = space;
  }
  if (words[5] != "size" || words[3] != "mtime" || words[1] != "inode") return std::nullopt;
  DerivedSource out{text.substr(0, end), 0, words[2], 0};
  char* stop = nullptr;
  out.size = std::strtoull(words[4].c_str(), &stop, 10);
  if (*stop != '\0') return std::nullopt;
  out.inode = std::strtoull(words[0].c_str(), &stop, 10);
  if (*stop != '\0') return std::nullopt;
  return out;
}

// The header of derived file `name` in `dir`, read back; NotFound when it is not one.
Result<DerivedFileInfo> ReadInfo(int dir, const std::string& name,
                                 const std::filesystem::path& path) {
  const UniqueFd fd(::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("cannot open " + path.string(), errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return NotFound(path.string() + " is not a regular file");
  }
  std::string text(std::min<uint64_t>(static_cast<uint64_t>(st.st_size), kMaxHeaderRead), '\0');
  const ssize_t got = ::pread(fd.get(), text.data(), text.size(), 0);
  if (got < 0) return ErrnoError("cannot read " + path.string(), errno);
  text.resize(static_cast<size_t>(got));
  if (!text.starts_with(kMagic)) return NotFound(path.string() + " is not a derived file");
  text.resize(std::min(text.find('\0'), text.size()));
  DerivedFileInfo out;
  out.path = path;
  out.bytes = static_cast<uint64_t>(st.st_size);
  out.last_used = st.st_atim.tv_sec;
  std::istringstream lines(text.substr(sizeof kMagic - 1));
  for (std::string line; std::getline(lines, line) && !line.starts_with("tensor ");) {
    const size_t space = line.find(' ');
    const std::string field = line.substr(0, space);
    const std::string value = space == std::string::npos ? "" : line.substr(space + 1);
    if (field == "kind") {
      out.kind = value;
    } else if (field == "origin") {
      out.origin = value;
    } else if (field == "source") {
      std::optional<DerivedSource> source = ParseSource(value);
      if (!source) return NotFound(path.string() + " has a source line hfd cannot read");
      out.sources.push_back(std::move(*source));
    }
  }
  return out;
}

// A temporary file of a build ("." name ".tmp." pid "." n, `st` its lstat) that was not
// written for a day.
bool IsLeftOverTemp(const std::string& name, const struct stat& st, int64_t now) {
  return name.starts_with(".") && name.find(".tmp.") != std::string::npos && S_ISREG(st.st_mode) &&
         now - st.st_mtim.tv_sec > kTempFileIdleSeconds;
}

}  // namespace

Result<PruneResult> PruneStale(const DerivedStore& store) {
  return store.Prune([now = static_cast<int64_t>(std::time(nullptr))](const DerivedFileInfo& file) {
    return IsStale(file, now);
  });
}

namespace {

// Logs what a prune removed (`what`: which files) or why it could not: a failure to prune
// fails nothing.
void LogPruned(const DerivedStore& store, const Result<PruneResult>& pruned,
               std::string_view what) {
  if (!pruned.ok()) {
    spdlog::warn("pruning {}: {}", store.dir().string(), pruned.status().ToString());
  } else if (pruned->files > 0) {
    spdlog::info("removed {} derived file(s) {} from {} ({})", pruned->files, what,
                 store.dir().string(), FormatBytes(static_cast<int64_t>(pruned->bytes)));
  }
}

}  // namespace

void PruneStaleAndLog(const DerivedStore& store) {
  LogPruned(store, PruneStale(store), "of sources gone or changed");
}

Result<std::string> SourceIdentity(const io::ModelFileSet& files, std::string_view name) {
  HFD_ASSIGN_OR_RETURN(const UniqueFd fd, files.Open(name));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoError("cannot stat " + files.Label(name), errno);
  return IdentityText(name, st);
}

bool IsStale(const DerivedFileInfo& file, int64_t now) {
  const bool unused = now - file.last_used > kUnverifiableUnusedSeconds;
  if (!file.origin.starts_with("/")) return unused;
  for (const DerivedSource& source : file.sources) {
    struct stat st {};
    if (::stat((std::filesystem::path(file.origin) / source.name).c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return true;
      return unused;
    }
    if (static_cast<uint64_t>(st.st_size) != source.size || MtimeText(st) != source.mtime ||
        static_cast<uint64_t>(st.st_ino) != source.inode) {
      return true;
    }
  }
  return false;
}

Result<InMemoryWeights> BuildInMemory(const std::vector<DerivedTensor>& tensors) {
  constexpr uint64_t kAlign = 64;
  std::vector<uint64_t> offsets;
  uint64_t size = 0;
  for (const DerivedTensor& t : tensors) {
    offsets.push_back(size);
    size += (t.nbytes + kAlign - 1) / kAlign * kAlign;
  }
  InMemoryWeights out;
  HFD_ASSIGN_OR_RETURN(out.memory, io::HugePageMemory::Allocate(size, "the derived weights"));
  for (size_t i = 0; i < tensors.size(); ++i) {
    const DerivedTensor& t = tensors[i];
    const std::span<uint8_t> bytes = out.memory.span().subspan(offsets[i], t.nbytes);
    HFD_RETURN_IF_ERROR(t.fill(bytes));
    out.views[t.name] = WeightView{t.type, t.shape, bytes.data(), t.nbytes};
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
  const Layout layout = MakeLayout(key, origin_, tensors);
  const std::string name = key.kind + "-" + HashHex(layout.header) + ".bin";
  const std::filesystem::path path = dir() / name;
  HFD_ASSIGN_OR_RETURN(const UniqueFd fd, OpenFolder(parent_, folder_, true));
  const bool mark_used = !origin_.empty();
  Result<std::unique_ptr<io::MappedFile>> file =
      MapCurrent(fd.get(), name, path, layout, mark_used);
  if (!file.ok() && file.status().code() == ErrorCode::kNotFound) {
    spdlog::info("building {}: {}", path.string(), file.status().message());
    HFD_RETURN_IF_ERROR(Build(fd.get(), name, path, layout, tensors, progress_));
    file = MapCurrent(fd.get(), name, path, layout, mark_used);
    // The files this build makes useless go now, in one pass over the folder: an earlier
    // build from the same sources (another layout or choice of tensors) and, in a folder
    // with an origin, those of changed or removed sources (not at the next start). The new
    // one stays even if its origin cannot be checked as it was read.
    if (file.ok()) {
      const Result<DerivedFileInfo> built = ReadInfo(fd.get(), name, path);
      const auto now = static_cast<int64_t>(std::time(nullptr));
      LogPruned(*this, Prune([&](const DerivedFileInfo& other) {
        if (other.path == path) return false;
        const bool superseded = built.ok() && other.kind == built->kind &&
                                other.origin == built->origin && other.sources == built->sources;
        return superseded || (!origin_.empty() && IsStale(other, now));
      }),
                "superseded by " + name + " or of sources gone or changed");
    }
  }
  HFD_RETURN_IF_ERROR(file.status());
  return std::unique_ptr<DerivedWeights>(
      new DerivedWeights(path, std::move(file).value(), tensors, layout.offsets));
}

const WeightView* DerivedViews::Find(std::string_view name) const {
  if (file_ != nullptr) return file_->Find(name);
  const auto it = memory_.views.find(name);
  return it == memory_.views.end() ? nullptr : &it->second;
}

std::vector<std::string> DerivedViews::names() const {
  if (file_ != nullptr) return file_->names();
  std::vector<std::string> out;
  for (const auto& [name, view] : memory_.views) out.push_back(name);
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
      "{} built in memory ({}): no folder for derived weights was given for this model (the "
      "daemon writes them once, beneath the Hub repo folder or in models.derived_dir, and "
      "maps them on later loads)",
      what, FormatBytes(static_cast<int64_t>(bytes)));
  HFD_ASSIGN_OR_RETURN(out->memory_, BuildInMemory(tensors));
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

DerivedStore DerivedStore::WithProgress(BuildProgress progress) const {
  DerivedStore out = *this;
  out.progress_ = std::move(progress);
  return out;
}

Result<PruneResult> DerivedStore::Prune(
    const std::function<bool(const DerivedFileInfo&)>& stale) const {
  PruneResult out;
  Result<UniqueFd> fd = OpenFolder(parent_, folder_, false);
  if (!fd.ok()) {
    if (fd.status().code() == ErrorCode::kNotFound) return out;
    return fd.status();
  }
  // The listing gets a descriptor of its own: closedir closes it.
  DIR* listing = ::fdopendir(::dup(fd->get()));
  if (listing == nullptr) return ErrnoError("cannot list " + dir().string(), errno);
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(listing)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(listing);
  const auto now = static_cast<int64_t>(std::time(nullptr));
  for (const std::string& name : names) {
    struct stat st {};
    if (::fstatat(fd->get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    bool remove = IsLeftOverTemp(name, st, now);
    if (!remove && !name.starts_with(".") && name.ends_with(".bin")) {
      const Result<DerivedFileInfo> info = ReadInfo(fd->get(), name, dir() / name);
      remove = info.ok() && stale(*info);
    }
    if (!remove) continue;
    if (::unlinkat(fd->get(), name.c_str(), 0) != 0) {
      if (errno == ENOENT) continue;  // another prune was first
      return ErrnoError("cannot remove " + (dir() / name).string(), errno);
    }
    ++out.files;
    out.bytes += static_cast<uint64_t>(st.st_size);
  }
  return out;
}

}  // namespace hfd::model
