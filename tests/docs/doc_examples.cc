#include "tests/docs/doc_examples.h"

#include <sstream>

namespace hfd::testing {
namespace {

std::string Trim(const std::string& s) {
  const size_t begin = s.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return s.substr(begin, s.find_last_not_of(" \t") - begin + 1);
}

// Where the shell comment of `line` starts (a '#' after a blank, outside quotes), or npos.
size_t CommentStart(const std::string& line) {
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
      if (c == '\\' && quote == '"') ++i;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '\\') {
      ++i;
    } else if (c == '#' && i > 0 && (line[i - 1] == ' ' || line[i - 1] == '\t')) {
      return i;
    }
  }
  return std::string::npos;
}

bool RunsHfctl(const std::string& command) {
  return command.starts_with("hfctl ") || command.find("| hfctl ") != std::string::npos;
}

}  // namespace

std::vector<DocExample> DocExamples(const std::string& markdown) {
  std::vector<DocExample> out;
  std::istringstream in(markdown);
  std::string fence_language;  // of the open fenced block; "" outside one
  bool in_block = false;
  int number = 0;
  for (std::string raw; std::getline(in, raw);) {
    ++number;
    const std::string line = Trim(raw);
    if (line.starts_with("```")) {
      in_block = !in_block;
      fence_language = in_block ? Trim(line.substr(3)) : "";
      continue;
    }
    if (!in_block || (fence_language != "sh" && fence_language != "console")) continue;
    std::string command = line;
    if (fence_language == "console") {
      if (!command.starts_with("$ ")) continue;
      command = command.substr(2);
    }
    DocExample example;
    example.line = number;
    if (const size_t comment = CommentStart(command); comment != std::string::npos) {
      const std::string text = Trim(command.substr(comment + 1));
      if (text.starts_with(kNotRunMarker)) {
        example.parse_only = true;
        example.why = Trim(text.substr(std::string(kNotRunMarker).size()));
      }
      command = Trim(command.substr(0, comment));
    }
    if (!RunsHfctl(command)) continue;
    example.command = command;
    out.push_back(std::move(example));
  }
  return out;
}

}  // namespace hfd::testing
