// Human text for resident models (the entries `load` returns and `ps` lists, see
// docs/protocol.md): shared by `hfctl load` and `hfctl ps`.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hfd::ctl {

// What a keep_alive means for a model: "unloads after 5m 0s idle", "unloads after each
// request" (0), "stays loaded until `hfctl unload`" (negative).
std::string KeepAliveText(double seconds);

// The header of `hfctl ps`'s table and one row for a resident model's entry.
std::vector<std::string> ResidentHeader();
std::vector<std::string> ResidentRow(const nlohmann::json& entry);

// Two lines saying what `load` produced: backend, device, time, context and memory.
std::vector<std::string> LoadedSummary(const nlohmann::json& entry);

}  // namespace hfd::ctl
