#include "drivers/clickhouse/ch_errors.hpp"

#include "drivers/driver.hpp"

#include <charconv>

namespace dsb::drivers::clickhouse {

namespace {

constexpr std::size_t kMaxMessage = 1000;

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\n' || v.front() == '\r'))
    v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\n' || v.back() == '\r'))
    v.remove_suffix(1);
  return v;
}

}  // namespace

ChException parse_exception(std::string_view body) {
  ChException e;
  std::string_view text = trim(body);
  if (text.rfind("Code: ", 0) == 0) {
    const char* begin = text.data() + 6;
    const auto [ptr, ec] = std::from_chars(begin, text.data() + text.size(), e.code);
    if (ec == std::errc()) text.remove_prefix(static_cast<std::size_t>(ptr - text.data()));
  }
  // 18.x: ", e.displayText() = DB::Exception: TEXT, e.what() = DB::Exception"
  if (const auto at = text.find("e.displayText() = "); at != std::string_view::npos) {
    text.remove_prefix(at + 18);
    if (const auto what = text.rfind(", e.what() = "); what != std::string_view::npos) {
      text = text.substr(0, what);
    }
  }
  // Newer: ". DB::Exception: TEXT. (NAME) (version ...)"
  if (const auto version = text.rfind(" (version "); version != std::string_view::npos) {
    text = text.substr(0, version);
  }
  while (!text.empty() && (text.front() == ',' || text.front() == '.' || text.front() == ' ')) {
    text.remove_prefix(1);
  }
  if (text.rfind("DB::Exception: ", 0) == 0) text.remove_prefix(15);
  e.text = std::string(trim(text));
  return e;
}

const char* error_reason(unsigned http_status, int code) {
  switch (code) {
    case 192:  // UNKNOWN_USER
    case 193:  // WRONG_PASSWORD
    case 194:  // REQUIRED_PASSWORD
    case 195:  // IP_ADDRESS_NOT_ALLOWED
    case 516:  // AUTHENTICATION_FAILED
      return reason::auth_failed;
    case 81:  // UNKNOWN_DATABASE
      return reason::database_not_found;
    case 164:  // READONLY
    case 291:  // DATABASE_ACCESS_DENIED
    case 497:  // ACCESS_DENIED
      return reason::permission_denied;
    case 159:  // TIMEOUT_EXCEEDED
    case 160:  // TOO_SLOW
    case 209:  // SOCKET_TIMEOUT
      return reason::timeout;
    default:
      break;
  }
  if (http_status == 401 || http_status == 516) return reason::auth_failed;
  if (http_status == 403) return reason::permission_denied;
  return reason::protocol_error;
}

std::string scrub(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

std::string error_message(unsigned http_status, const ChException& e,
                          const std::vector<std::string>& secrets) {
  // Scrubbed before it is cut, so no part of a secret survives the cut.
  std::string text = scrub(e.text, secrets);
  if (text.empty()) text = "the server answered HTTP " + std::to_string(http_status);
  if (text.size() > kMaxMessage) text = text.substr(0, kMaxMessage) + "...";
  if (e.code != 0) text += " (ClickHouse error " + std::to_string(e.code) + ")";
  return text;
}

}  // namespace dsb::drivers::clickhouse
