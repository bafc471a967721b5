// Multi-line messages in the chat, as in Ollama: a line starting with """ opens a block,
// a line ending with """ closes it, and the lines between (with what follows the opening
// and precedes the closing quotes) are one message joined by newlines. `"""text"""` is a
// block of one line. Lines inside a block are never commands.
#pragma once

#include <optional>
#include <string>

namespace hfd::ctl {

class MessageBlock {
 public:
  struct Message {
    std::string text;
    bool from_block = false;  // typed inside """ (so not a /command, kept untrimmed)
  };

  // Takes one typed line. Returns the message it completes: the line itself outside a
  // block, the whole block on its closing line; nullopt while a block stays open.
  std::optional<Message> Add(const std::string& line);
  // True between the opening and the closing line (the prompt shows "... " then).
  bool open() const { return open_; }
  // Forgets an open block (Ctrl-C while typing it).
  void Drop();

 private:
  bool open_ = false;
  bool empty_ = true;  // nothing collected yet: the next line starts the text
  std::string text_;
};

}  // namespace hfd::ctl
