#include "ctl/repl/message_block.h"

#include <string_view>

namespace hfd::ctl {
namespace {

constexpr std::string_view kQuotes = R"(""")";

}  // namespace

std::optional<MessageBlock::Message> MessageBlock::Add(const std::string& line) {
  std::string_view rest = line;
  if (!open_) {
    const size_t start = rest.find_first_not_of(" \t");
    if (start == std::string_view::npos || rest.substr(start, kQuotes.size()) != kQuotes) {
      return Message{line, false};
    }
    rest.remove_prefix(start + kQuotes.size());
    open_ = true;
  }
  const bool closing = rest.ends_with(kQuotes);
  if (closing) rest.remove_suffix(kQuotes.size());
  // The opening line's own text, if any, is the first line; an empty one is not.
  if (!empty_ || !rest.empty() || closing) {
    if (!empty_) text_ += '\n';
    text_ += rest;
    empty_ = false;
  }
  if (!closing) return std::nullopt;
  Message done{std::move(text_), true};
  Drop();
  return done;
}

void MessageBlock::Drop() {
  open_ = false;
  empty_ = true;
  text_.clear();
}

}  // namespace hfd::ctl
