// The example commands of a Markdown document, as the docs test runs them: in ```sh
// blocks the lines that start with `hfctl` or pipe into it, in ```console blocks the
// `$ hfctl` lines. A trailing `# not run in tests: WHY` marks one that is only parsed.
#pragma once

#include <string>
#include <vector>

namespace hfd::testing {

struct DocExample {
  int line = 0;         // 1-based, in the document
  std::string command;  // the shell command, without its comment
  bool parse_only = false;
  std::string why;  // for a parse-only one: why it cannot run in tests
};

// The examples of `markdown`, in order.
std::vector<DocExample> DocExamples(const std::string& markdown);

// The marker, as the docs write it after a command.
inline constexpr const char* kNotRunMarker = "not run in tests:";

}  // namespace hfd::testing
