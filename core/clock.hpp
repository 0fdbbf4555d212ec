// Wall-clock time as the API shows it.
#pragma once

#include <cstdint>
#include <string>

namespace dsb {

// Milliseconds since the Unix epoch.
std::int64_t now_unix_ms();

// RFC 3339 UTC with milliseconds, e.g. 2026-11-23T17:16:03.123Z.
std::string rfc3339(std::int64_t unix_ms);

}  // namespace dsb
