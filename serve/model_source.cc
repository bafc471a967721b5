#include "serve/model_source.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "engine/io/beneath_root_file_set.h"
#include "engine/io/local_file_set.h"
#include "hub/gguf_files.h"
#include "hub/repo_cache.h"

namespace hfd::serve {
namespace fs = std::filesystem;
namespace {

// The GGUF files of `files` with their sizes.
Result<std::vector<hub::ListedFile>> GgufListing(const io::ModelFileSet& files) {
  HFD_ASSIGN_OR_RETURN(const std::vector<std::string> names, files.Names());
  std::vector<hub::ListedFile> out;
  for (const std::string& name : names) {
    if (!hub::IsGgufName(name)) continue;
    HFD_ASSIGN_OR_RETURN(const UniqueFd fd, files.Open(name));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return ErrnoError("cannot stat " + files.Label(name), errno);
    out.push_back({name, static_cast<uint64_t>(st.st_size)});
  }
  return out;
}

// Which file of `files` to serve (none for a checkpoint: the files hold tokenizer.json),
// chosen as a pull chooses: the GGUF model carrying `quant`, else the only one, else the
// one hub::DefaultGguf picks.
Status PickModelFile(const io::ModelFileSet& files, const std::string& quant, ModelSource& out) {
  if (files.Has("tokenizer.json")) return Status::Ok();
  HFD_ASSIGN_OR_RETURN(const std::vector<hub::ListedFile> listing, GgufListing(files));
  HFD_ASSIGN_OR_RETURN(const std::vector<hub::GgufModel> models, hub::GgufModels(listing, true));
  const hub::GgufModel* chosen = nullptr;
  if (quant.empty()) {
    chosen = hub::DefaultGguf(models);
    out.quant_picked = models.size() > 1;
  } else {
    for (const hub::GgufModel& m : models) {
      if (!hub::GgufNameHasQuant(m.files.front(), quant)) continue;
      if (chosen != nullptr) {
        return InvalidArgument("more than one GGUF file of " + files.description() +
                               " carries quant '" + quant + "': " + chosen->files.front() +
                               " and " + m.files.front());
      }
      chosen = &m;
    }
  }
  if (chosen == nullptr) {
    return NotFound(files.description() + " has no tokenizer.json and no " +
                    (quant.empty() ? "" : quant + " ") + ".gguf file" +
                    (models.empty() ? "" : "; it holds quants " + hub::QuantList(models)));
  }
  out.gguf = chosen->files.front();
  out.quant = chosen->quant;
  return Status::Ok();
}

// "name=device:inode;" for each passed file: the same files, passed by anyone, give the
// same key, and a file a caller did not pass can never be part of its key.
Result<std::string> PassedKey(const io::ModelFileSet& files) {
  HFD_ASSIGN_OR_RETURN(const std::vector<std::string> names, files.Names());
  std::string key = "passed:";
  for (const std::string& name : names) {
    HFD_ASSIGN_OR_RETURN(const UniqueFd fd, files.Open(name));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return ErrnoError("cannot stat " + files.Label(name), errno);
    key += name + "=" + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ";";
  }
  return key;
}

}  // namespace

std::shared_ptr<const model::DerivedStore> RepoDerivedStore(const fs::path& repo_dir) {
  return std::make_shared<model::DerivedStore>(
      repo_dir.parent_path(), repo_dir.filename().string() + "/" + hub::RepoCache::kDerivedFolder);
}

std::shared_ptr<const model::DerivedStore> DaemonDerivedStore(const fs::path& dir,
                                                              std::string origin) {
  if (dir.empty()) return nullptr;
  fs::path folder = dir.lexically_normal();
  if (!folder.has_filename()) folder = folder.parent_path();
  // One folder, one origin, however it was written ("/m/" or "/m").
  while (origin.size() > 1 && origin.back() == '/') origin.pop_back();
  // The header holds the origin on one line: a path with a line break cannot be checked.
  if (origin.find('\n') != std::string::npos) origin = "a path with a line break";
  return std::make_shared<model::DerivedStore>(folder.parent_path(), folder.filename().string(),
                                               std::move(origin));
}

Result<model::PruneResult> PruneDaemonDerived(const fs::path& dir) {
  const auto store = DaemonDerivedStore(dir, "");
  if (store == nullptr) return model::PruneResult{};
  return model::PruneStale(*store);
}

Result<model::PruneResult> PruneRepoDerived(
    const fs::path& repo_dir, const std::set<std::pair<uint64_t, uint64_t>>& removed) {
  return RepoDerivedStore(repo_dir)->Prune([&removed](const model::DerivedFileInfo& file) {
    return std::any_of(file.sources.begin(), file.sources.end(),
                       [&removed](const model::DerivedSource& s) {
                         return removed.count({s.inode, s.size}) != 0;
                       });
  });
}

Result<ModelSource> LocalModelSource(const fs::path& path, const fs::path& derived_dir) {
  std::error_code ec;
  const fs::path canonical = fs::canonical(path, ec);
  if (ec) return NotFound("model path " + path.string() + ": " + ec.message());
  ModelSource out;
  out.display = path.string();
  out.key = canonical.string();
  if (fs::is_directory(canonical, ec)) {
    HFD_ASSIGN_OR_RETURN(out.files, io::OpenLocalDirectory(path));
    HFD_RETURN_IF_ERROR(PickModelFile(*out.files, "", out));
    if (!out.gguf.empty()) out.key = (canonical / out.gguf).string();
    // The folder as named: the sources' names are relative to it, as the set opens them.
    out.derived = DaemonDerivedStore(derived_dir, fs::absolute(path).string());
    return out;
  }
  HFD_ASSIGN_OR_RETURN(io::LocalFile local, io::OpenLocalFile(path));
  if (!local.name.ends_with(".gguf")) {
    return InvalidArgument(path.string() +
                           " is neither a .gguf file nor a model directory with tokenizer.json");
  }
  out.files = std::move(local.files);
  out.gguf = std::move(local.name);
  out.quant = hub::QuantOfGgufName(out.gguf);
  out.derived = DaemonDerivedStore(derived_dir, fs::absolute(path).parent_path().string());
  return out;
}

Result<ModelSource> HubSnapshotSource(const fs::path& repo_dir, const std::string& commit,
                                      const std::string& quant) {
  ModelSource out;
  HFD_ASSIGN_OR_RETURN(out.files, io::OpenBeneathRoot(repo_dir, "snapshots/" + commit));
  HFD_RETURN_IF_ERROR(PickModelFile(*out.files, quant, out));
  out.display = out.gguf.empty() ? out.files->description() : out.files->Label(out.gguf);
  out.key = out.display;
  out.derived = RepoDerivedStore(repo_dir);
  return out;
}

Result<ModelSource> PassedModelSource(std::string name,
                                      std::shared_ptr<const io::ModelFileSet> files,
                                      const fs::path& derived_dir) {
  ModelSource out;
  HFD_RETURN_IF_ERROR(PickModelFile(*files, "", out));
  HFD_ASSIGN_OR_RETURN(out.key, PassedKey(*files));
  out.derived = DaemonDerivedStore(derived_dir, "files a client passed as " + name);
  out.files = std::move(files);
  out.display = std::move(name);
  return out;
}

}  // namespace hfd::serve
