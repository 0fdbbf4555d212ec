// Turning libpq error text into a stable reason and a message safe to show.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dsb::drivers::postgres {

struct PgMessage {
  std::string sqlstate;  // empty when the error came from libpq itself
  std::string text;      // without the SQLSTATE prefix and LOCATION lines
};

// Parses a message libpq formatted with PQERRORS_VERBOSE
// ("... FATAL:  28P01: password authentication failed ...\nLOCATION: ...").
PgMessage parse_verbose_message(std::string_view raw);

// The reason for a failed connection attempt, given the stage it failed in
// (tcp_connect, tls_handshake, authenticate).
const char* connect_failure_reason(std::string_view stage, const PgMessage& message);

// The reason for a failed statement, from its SQLSTATE.
const char* sqlstate_reason(std::string_view sqlstate);

}  // namespace dsb::drivers::postgres
