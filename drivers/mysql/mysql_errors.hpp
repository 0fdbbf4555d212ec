// Turning Connector/C and server errors into a stable reason and a message
// safe to show.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dsb::drivers::mysql {

// The reason for error `code` (mysql_errno) with `message`, raised during
// `stage` (tcp_connect, tls_handshake, authenticate, or an operation).
const char* failure_reason(unsigned code, std::string_view stage, std::string_view message);

}  // namespace dsb::drivers::mysql
