// Where the test services (started by tests/services/start.sh) listen.
#pragma once

#include <cstdint>
#include <string>

namespace dsb::test {

// The value of environment variable `name`; fails the current test (and
// returns "") when it is unset, since make test always sets it.
std::string require_env(const char* name);

std::uint16_t require_port(const char* name);

// Reads a whole file (test fixtures, TLS material).
std::string read_file(const std::string& path);

}  // namespace dsb::test
