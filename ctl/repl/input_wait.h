// Waiting for keyboard input without losing a Ctrl-C: the chat's line readers (StdinLines
// on a pipe, LineEditor on a terminal) both wait here. Single-threaded: SIGINT must reach
// the calling thread.
#pragma once

#include <functional>

namespace hfd::ctl {

enum class InputWait {
  kReady,        // `fd` has input (or end of input) to read
  kInterrupted,  // `interrupted()` was true before or during the wait
  kSignal,       // another signal's handler ran; wait again
  kError,        // `fd` cannot be waited on
};

// Waits until `fd` is readable. SIGINT stays blocked from the `interrupted()` check until
// ppoll() atomically unblocks it, so a Ctrl-C that lands just before the wait ends it at
// once instead of being noticed only at the next key (a plain check-then-poll() missed it).
InputWait WaitForInput(int fd, const std::function<bool()>& interrupted);

}  // namespace hfd::ctl
