#include "http/model_catalog.h"

#include <algorithm>
#include <filesystem>

#include "hub/file_selection.h"

namespace hfd::http {
namespace {

namespace fs = std::filesystem;

// The revision apps mean by the bare name: the one `main` points at, else the newest.
const hub::CachedRevision* MainRevision(const hub::CachedModel& model) {
  for (const hub::CachedRevision& r : model.revisions) {
    if (std::find(r.refs.begin(), r.refs.end(), "main") != r.refs.end()) return &r;
  }
  return model.revisions.empty() ? nullptr : &model.revisions.front();
}

// Entries for one cached repo: one per quant of its GGUF files (the first part of a split
// set stands for it), else the repo itself.
void AddRepo(const hub::CachedModel& model, std::vector<CatalogEntry>& out) {
  const hub::CachedRevision* revision = MainRevision(model);
  if (revision == nullptr) return;
  const bool is_main =
      std::find(revision->refs.begin(), revision->refs.end(), "main") != revision->refs.end();
  const std::string name = model.repo_id + (is_main ? "" : "@" + revision->commit);
  CatalogEntry base{name, model.repo_id, "", revision->commit, revision->size, revision->last_used};
  std::error_code ec;
  const size_t before = out.size();
  for (const fs::directory_entry& file :
       fs::directory_iterator(model.path / "snapshots" / revision->commit, ec)) {
    const std::string filename = file.path().filename().string();
    if (file.path().extension() != ".gguf" || hub::ParseSplitName(filename).index > 1) continue;
    const std::string quant = hub::QuantOfGgufName(filename);
    CatalogEntry entry = base;
    entry.quant = quant;
    entry.id = name;
    if (!quant.empty()) entry.id.append(":").append(quant);
    entry.size = fs::file_size(file.path(), ec);
    out.push_back(std::move(entry));
  }
  if (out.size() == before) out.push_back(base);
}

}  // namespace

Result<std::vector<CatalogEntry>> ListModels(const serve::Service& service,
                                             const serve::Caller& caller) {
  std::vector<CatalogEntry> out;
  HFD_ASSIGN_OR_RETURN(serve::CacheListing cached, service.List(caller));
  for (const hub::CachedModel& model : cached.models) AddRepo(model, out);
  HFD_ASSIGN_OR_RETURN(serve::PsReport ps, service.Ps(caller));
  for (const serve::ResidentInfo& info : ps.models) {
    if (!info.revision.empty() || !hub::IsLocalPath(info.name)) continue;
    CatalogEntry entry;
    entry.id = info.name;
    entry.size = static_cast<uint64_t>(info.weights_bytes);
    entry.modified = std::chrono::system_clock::to_time_t(info.loaded_at);
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace hfd::http
