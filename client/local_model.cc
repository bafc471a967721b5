// OpenLocalModel and LocalModelFiles (include/hfd/client.h): the client's side of passing
// local files (docs/protocol.md, "Passing local files").
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <regex>
#include <utility>

#include "common/unique_fd.h"
#include "hfd/client.h"
#include "proto/passed_files.h"

namespace hfd::client {
namespace {

// Non-blocking: opening a FIFO for reading then returns at once instead of waiting for
// a writer; the file type is checked right after.
constexpr int kOpenFlags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;

// modules.json and 1_Pooling/config.json: a sentence-transformers model's pooling.
constexpr std::array<const char*, 11> kKnownFiles = {
    "config.json",           "generation_config.json",  "tokenizer.json",
    "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja",
    "chat_template.json",    "tokenizer.model",         "model.safetensors.index.json",
    "modules.json",          "1_Pooling/config.json"};

std::string KindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

Result<struct stat> Stat(int fd, const std::string& shown) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ErrnoError("cannot stat " + shown, errno);
  return st;
}

// Opens `name` relative to `dir` and checks that it is a regular file; `shown` is its
// path in errors.
Result<UniqueFd> OpenRegularFile(int dir, const std::string& name, const std::string& shown) {
  UniqueFd fd(::openat(dir, name.c_str(), kOpenFlags));
  if (!fd.valid()) return ErrnoError("cannot open " + shown, errno);
  HFD_ASSIGN_OR_RETURN(const struct stat st, Stat(fd.get(), shown));
  if (!S_ISREG(st.st_mode)) {
    return InvalidArgument(shown + " is " + KindOf(st.st_mode) +
                           ", not a regular file: a model's files must be regular files");
  }
  return fd;
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() > suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Status CheckCount(std::size_t count, const std::string& path) {
  if (count <= proto::kMaxFilesPerRequest) return Status::Ok();
  return InvalidArgument(path + " has " + std::to_string(count) +
                         " model files; a request can pass at most " +
                         std::to_string(proto::kMaxFilesPerRequest));
}

// The directory's entries that are model files: the known ones in kKnownFiles order,
// then the *.safetensors and *.gguf files sorted by name.
Result<std::vector<std::string>> ModelFileNames(int dir_fd, const std::string& path) {
  const int listing_fd = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  if (listing_fd < 0) return ErrnoError("cannot read " + path, errno);
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::fdopendir(listing_fd), &::closedir);
  if (dir == nullptr) {
    const int err = errno;
    ::close(listing_fd);
    return ErrnoError("cannot read " + path, err);
  }
  std::vector<std::string> known;
  std::vector<std::string> weights;
  while (const dirent* entry = ::readdir(dir.get())) {
    const std::string name = entry->d_name;
    if (name.starts_with('.')) continue;
    const auto it = std::find(kKnownFiles.begin(), kKnownFiles.end(), name);
    if (it != kKnownFiles.end()) {
      known.push_back(name);
    } else if (EndsWith(name, ".safetensors") || EndsWith(name, ".gguf")) {
      weights.push_back(name);
    }
  }
  // The one known file below the top folder.
  if (::faccessat(dir_fd, "1_Pooling/config.json", F_OK, 0) == 0) {
    known.emplace_back("1_Pooling/config.json");
  }
  const auto rank = [](const std::string& name) {
    return std::find(kKnownFiles.begin(), kKnownFiles.end(), name) - kKnownFiles.begin();
  };
  std::sort(known.begin(), known.end(),
            [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
  std::sort(weights.begin(), weights.end());
  known.insert(known.end(), weights.begin(), weights.end());
  return known;
}

Result<LocalModelFiles> OpenDirectory(int dir_fd, const std::string& path) {
  HFD_ASSIGN_OR_RETURN(std::vector<std::string> names, ModelFileNames(dir_fd, path));
  if (names.empty()) {
    return NotFound(path +
                    " holds no model files (config.json, tokenizer.json, *.safetensors or "
                    "*.gguf); give a model directory or a .gguf file");
  }
  HFD_RETURN_IF_ERROR(CheckCount(names.size(), path));
  LocalModelFiles files;
  for (std::string& name : names) {
    HFD_ASSIGN_OR_RETURN(UniqueFd fd, OpenRegularFile(dir_fd, name, (path + "/").append(name)));
    files.Add(std::move(name), fd.Release());
  }
  return files;
}

// A GGUF file, and when it is one part of a split set (`name-00002-of-00003.gguf`) every
// part, in order, from the same directory.
Result<LocalModelFiles> OpenGguf(UniqueFd given, const std::string& path) {
  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  static const std::regex kSplit(R"((.+)-(\d{5})-of-(\d{5})\.gguf)");
  std::smatch split;
  LocalModelFiles files;
  if (!std::regex_match(base, split, kSplit)) {
    files.Add(base, given.Release());
    return files;
  }
  const int index = std::stoi(split[2].str());
  const int count = std::stoi(split[3].str());
  if (index < 1 || index > count) {
    return InvalidArgument(path + " claims to be part " + std::to_string(index) + " of " +
                           std::to_string(count) + " of a split GGUF file");
  }
  HFD_RETURN_IF_ERROR(CheckCount(static_cast<std::size_t>(count), path));
  for (int part = 1; part <= count; ++part) {
    char suffix[32];
    std::snprintf(suffix, sizeof(suffix), "-%05d-of-%05d.gguf", part, count);
    std::string name = split[1].str() + suffix;
    if (part == index) {
      files.Add(std::move(name), given.Release());
      continue;
    }
    Result<UniqueFd> fd = OpenRegularFile(AT_FDCWD, dir + name, dir + name);
    if (!fd.ok()) return fd.status().WithContext("a part of the split GGUF file " + path);
    files.Add(std::move(name), fd->Release());
  }
  return files;
}

}  // namespace

LocalModelFiles::~LocalModelFiles() { CloseAll(); }

LocalModelFiles::LocalModelFiles(LocalModelFiles&& other) noexcept
    : files_(std::exchange(other.files_, {})) {}

LocalModelFiles& LocalModelFiles::operator=(LocalModelFiles&& other) noexcept {
  if (this != &other) {
    CloseAll();
    files_ = std::exchange(other.files_, {});
  }
  return *this;
}

void LocalModelFiles::Add(std::string name, int fd) { files_.push_back({std::move(name), fd}); }

void LocalModelFiles::CloseAll() {
  for (const PassedFd& file : files_) ::close(file.fd);
  files_.clear();
}

Result<LocalModelFiles> OpenLocalModel(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), kOpenFlags));
  if (!fd.valid()) return ErrnoError("cannot open the model " + path, errno);
  HFD_ASSIGN_OR_RETURN(const struct stat st, Stat(fd.get(), path));
  if (S_ISDIR(st.st_mode)) return OpenDirectory(fd.get(), path);
  if (S_ISREG(st.st_mode) && EndsWith(path, ".gguf")) return OpenGguf(std::move(fd), path);
  return InvalidArgument(path + " is " + (S_ISREG(st.st_mode) ? "a file" : KindOf(st.st_mode)) +
                         " but not a .gguf file; give a .gguf file or a model directory");
}

}  // namespace hfd::client
