// Identifiers and random secrets.
#pragma once

#include <string>
#include <string_view>

namespace dsb {

// A UUIDv7: time-ordered, so records keyed by it list in creation order.
std::string new_uuid();

// `n` characters from [0-9A-Za-z], from the OpenSSL CSPRNG.
std::string random_base62(std::size_t n);

// `n` random bytes as lower-case hex.
std::string random_hex(std::size_t bytes);

// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

// True when `s` has the shape new_uuid() produces.
bool looks_like_uuid(std::string_view s);

// Constant-time comparison of equal-length strings.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace dsb
