// Durations and byte sizes as people write them in configs and on command lines
// ("5m", "90s", "-1", "8GiB", "512M"), parsed into numbers with errors that say what is
// accepted.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "hfd/status.h"

namespace hfd {

// Seconds from "300", "1.5", "90s", "5m", "2h", "1d", optionally negative ("-1": forever
// where the caller gives negatives that meaning). `what` names the value in errors.
Result<double> ParseDurationSeconds(std::string_view text, std::string_view what);

// Bytes from "1048576", "512K", "8M", "8MB", "8MiB", "2G", "2GiB", "1T" (K/M/G/T are
// powers of 1024, as with memory sizes). Fractions allowed: "1.5G".
Result<std::int64_t> ParseByteSize(std::string_view text, std::string_view what);

// "1.5 GiB", "512 MiB", "17 B": for messages and human output.
std::string FormatBytes(std::int64_t bytes);

}  // namespace hfd
