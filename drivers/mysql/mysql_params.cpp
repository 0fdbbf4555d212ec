#include "drivers/mysql/mysql_params.hpp"

namespace dsb::drivers::mysql {

namespace {

// Index just past the quoted run starting at `at` (sql[at] is the quote).
std::size_t skip_quoted(std::string_view sql, std::size_t at) {
  const char quote = sql[at];
  for (std::size_t i = at + 1; i < sql.size(); ++i) {
    if (sql[i] == '\\' && quote != '`') {
      ++i;  // backslash escapes the next character
    } else if (sql[i] == quote) {
      if (i + 1 < sql.size() && sql[i + 1] == quote) {
        ++i;  // doubled quote
      } else {
        return i + 1;
      }
    }
  }
  return sql.size();
}

std::size_t skip_to_line_end(std::string_view sql, std::size_t at) {
  const std::size_t end = sql.find('\n', at);
  return end == std::string_view::npos ? sql.size() : end;
}

std::size_t skip_block_comment(std::string_view sql, std::size_t at) {
  const std::size_t end = sql.find("*/", at + 2);
  return end == std::string_view::npos ? sql.size() : end + 2;
}

bool line_comment_at(std::string_view sql, std::size_t at) {
  if (sql[at] == '#') return true;
  return sql.compare(at, 2, "--") == 0 &&
         (at + 2 == sql.size() || sql[at + 2] == ' ' || sql[at + 2] == '\t' ||
          sql[at + 2] == '\n' || sql[at + 2] == '\r');
}

}  // namespace

Result<std::string> bind_params(std::string_view sql, const Params& params, const Escaper& escape) {
  std::string out;
  out.reserve(sql.size() + 16 * params.size());
  std::size_t used = 0;
  std::size_t at = 0;
  while (at < sql.size()) {
    const char c = sql[at];
    std::size_t next = at + 1;
    if (c == '\'' || c == '"' || c == '`') {
      next = skip_quoted(sql, at);
    } else if (line_comment_at(sql, at)) {
      next = skip_to_line_end(sql, at);
    } else if (sql.compare(at, 2, "/*") == 0) {
      next = skip_block_comment(sql, at);
    } else if (c == '?') {
      if (used == params.size()) break;
      const auto& param = params[used++];
      if (param) {
        out += '\'';
        out += escape(*param);
        out += '\'';
      } else {
        out += "NULL";
      }
      at = next;
      continue;
    }
    out.append(sql.substr(at, next - at));
    at = next;
  }
  if (at < sql.size() || used != params.size()) {
    return fail(400, "INVALID_PARAMETERS",
                "the statement has a different number of ? placeholders than the " +
                    std::to_string(params.size()) + " parameters given");
  }
  return out;
}

}  // namespace dsb::drivers::mysql
