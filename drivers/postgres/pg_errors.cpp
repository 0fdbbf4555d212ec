#include "drivers/postgres/pg_errors.hpp"

#include "drivers/driver.hpp"

#include <algorithm>
#include <cctype>

namespace dsb::drivers::postgres {

namespace {

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

bool is_sqlstate_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}

// Finds "SEVERITY:  XXXXX: " and returns the position of XXXXX, or npos.
std::size_t find_sqlstate(std::string_view raw) {
  for (std::string_view severity : {"FATAL:  ", "ERROR:  ", "PANIC:  "}) {
    for (std::size_t at = raw.find(severity); at != std::string_view::npos;
         at = raw.find(severity, at + 1)) {
      const std::size_t code = at + severity.size();
      if (code + 7 > raw.size()) break;
      const std::string_view candidate = raw.substr(code, 7);
      if (std::all_of(candidate.begin(), candidate.begin() + 5, is_sqlstate_char) &&
          candidate.substr(5) == ": ") {
        return code;
      }
    }
  }
  return std::string_view::npos;
}

std::string drop_location_lines(std::string_view text) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    if (line.rfind("LOCATION:", 0) != 0) {
      if (!out.empty()) out += '\n';
      out += line;
    }
    start = end + 1;
  }
  return out;
}

}  // namespace

PgMessage parse_verbose_message(std::string_view raw) {
  PgMessage message;
  std::string text(raw);
  const std::size_t code = find_sqlstate(raw);
  if (code != std::string_view::npos) {
    message.sqlstate = std::string(raw.substr(code, 5));
    text.erase(code, 7);
  }
  message.text = drop_location_lines(text);
  return message;
}

const char* sqlstate_reason(std::string_view sqlstate) {
  if (sqlstate == "3D000") return reason::database_not_found;
  if (sqlstate == "42501") return reason::permission_denied;
  if (sqlstate == "28P01" || sqlstate == "28000") return reason::auth_failed;
  if (sqlstate == "57014") return reason::timeout;  // query_canceled (statement_timeout)
  return reason::protocol_error;
}

const char* connect_failure_reason(std::string_view stage, const PgMessage& message) {
  if (!message.sqlstate.empty()) {
    const char* by_state = sqlstate_reason(message.sqlstate);
    if (by_state != reason::protocol_error) return by_state;
  }
  const std::string_view text = message.text;
  if (contains(text, "Connection refused")) return reason::connection_refused;
  if (contains(text, "timeout expired")) return reason::timeout;
  if (stage == "tls_handshake") return reason::tls_failed;
  if (contains(text, "SSL") || contains(text, "certificate")) {
    // The server asking for a client certificate is an authentication
    // decision taken after the handshake.
    if (stage == "authenticate" && contains(text, "requires a valid client certificate")) {
      return reason::auth_failed;
    }
    return reason::tls_failed;
  }
  if (contains(text, "password") || contains(text, "authentication") ||
      contains(text, "pg_hba.conf")) {
    return reason::auth_failed;
  }
  return reason::protocol_error;
}

}  // namespace dsb::drivers::postgres
