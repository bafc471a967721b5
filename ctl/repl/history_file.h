// Where the chat's line history is kept: $XDG_STATE_HOME/hfd/chat_history, by default
// ~/.local/state/hfd/chat_history (the XDG base directory spec's place for history). The
// folders hfctl creates are private (0700) and so is the file (0600): people type private
// things into a chat.
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>

#include "hfd/status.h"

namespace hfd::ctl {

// How many lines the history keeps; older ones are dropped.
inline constexpr int kHistoryLines = 1000;

// The history file for these values of $XDG_STATE_HOME and $HOME (either may be null). A
// relative XDG_STATE_HOME is ignored, as the spec asks. NotFound when neither
// gives an absolute folder.
Result<std::filesystem::path> ChatHistoryPath(const char* xdg_state_home, const char* home);

// Creates the folders above `file` that are missing, each with mode 0700.
Status MakePrivateFolders(const std::filesystem::path& file);

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using UniqueFile = std::unique_ptr<std::FILE, FileCloser>;

// Opens `file` to be written from the start, with mode 0600 even when it existed with
// another; never through a symlink.
Result<UniqueFile> OpenPrivateForWriting(const std::filesystem::path& file);

}  // namespace hfd::ctl
