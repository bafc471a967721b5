// Where the interactive chat gets its lines: a line editor on a terminal (LineEditor), or
// stdin line by line when it is a pipe (StdinLines). Single-threaded.
#pragma once

#include <string>

namespace hfd::ctl {

enum class LineEvent { kLine, kEnd, kInterrupted };

class LineReader {
 public:
  virtual ~LineReader() = default;
  // Shows `prompt` (a terminal only) and waits for a line, given without its newline.
  // kEnd at end of input (Ctrl-D); kInterrupted on Ctrl-C, the partly typed line dropped.
  virtual LineEvent Read(const std::string& prompt, std::string& line) = 0;
  // Keeps `line` in the history that the arrow keys and Ctrl-R go through, if any.
  virtual void Remember(const std::string& line) = 0;
};

}  // namespace hfd::ctl
