// The MODEL argument of the tokenizer commands: a local path (starting with /, ./, ../ or
// ~/) is made absolute here, since the daemon does not share hfctl's working directory;
// anything else is a Hub id passed through as typed.
#pragma once

#include <string>

namespace hfd::ctl {

std::string ModelArgument(const std::string& model);

}  // namespace hfd::ctl
