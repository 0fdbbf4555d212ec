// Turning ClickHouse HTTP errors into a stable reason and a message safe to
// show. The server answers a failed query with a non-200 status and a body
// like "Code: 193, e.displayText() = DB::Exception: Wrong password for user
// u, e.what() = DB::Exception" (18.x) or "Code: 81. DB::Exception: Database
// x doesn't exist. (UNKNOWN_DATABASE) (version 23.3 ...)" (newer).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dsb::drivers::clickhouse {

struct ChException {
  int code = 0;      // 0 when the body names none
  std::string text;  // the exception text alone
};

ChException parse_exception(std::string_view body);

// By exception code first, then by HTTP status:
//   auth_failed        401, 516 / codes 192-195, 516
//   database_not_found code 81
//   permission_denied  403 / codes 164, 291, 497
//   timeout            codes 159, 160, 209
//   protocol_error     anything else
const char* error_reason(unsigned http_status, int code);

// "<text> (ClickHouse error <code>)", every secret replaced by ***, at most
// 1000 characters.
std::string error_message(unsigned http_status, const ChException& e,
                          const std::vector<std::string>& secrets);

std::string scrub(std::string text, const std::vector<std::string>& secrets);

}  // namespace dsb::drivers::clickhouse
