#include "drivers/clickhouse/ch_sql.hpp"

#include "drivers/driver.hpp"

namespace dsb::drivers::clickhouse {

namespace {

constexpr char kHex[] = "0123456789ABCDEF";

// The index just past the quoted run that starts at `at` (a quote char);
// backslash escapes the next byte and a doubled quote stands for one.
std::size_t skip_quoted(std::string_view sql, std::size_t at) {
  const char quote = sql[at];
  std::size_t i = at + 1;
  while (i < sql.size()) {
    if (sql[i] == '\\') {
      i += 2;
    } else if (sql[i] == quote) {
      if (i + 1 < sql.size() && sql[i + 1] == quote) {
        i += 2;
      } else {
        return i + 1;
      }
    } else {
      ++i;
    }
  }
  return sql.size();
}

std::size_t skip_comment(std::string_view sql, std::size_t at) {
  if (sql[at] == '-') {
    const std::size_t end = sql.find('\n', at);
    return end == std::string_view::npos ? sql.size() : end + 1;
  }
  const std::size_t end = sql.find("*/", at + 2);
  return end == std::string_view::npos ? sql.size() : end + 2;
}

}  // namespace

std::string quote_string(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '\'';
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\'':
        out += "\\'";
        break;
      case '\0':
        out += "\\0";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += ch;
        }
    }
  }
  out += '\'';
  return out;
}

std::string quote_identifier(std::string_view name) {
  std::string out = "`";
  for (const char c : name) {
    if (c == '`' || c == '\\') out += '\\';
    out += c;
  }
  out += '`';
  return out;
}

Result<std::string> bind_parameters(std::string_view sql,
                                    const std::vector<std::optional<std::string>>& params,
                                    std::string_view stage) {
  std::string out;
  out.reserve(sql.size());
  std::size_t used = 0;
  std::size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    std::size_t next = i + 1;
    if (c == '\'' || c == '"' || c == '`') {
      next = skip_quoted(sql, i);
    } else if ((c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') ||
               (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*')) {
      next = skip_comment(sql, i);
    } else if (c == '?') {
      if (used < params.size()) {
        out += params[used] ? quote_string(*params[used]) : std::string("NULL");
      }
      ++used;
      i = next;
      continue;
    }
    out.append(sql.substr(i, next - i));
    i = next;
  }
  if (used != params.size()) {
    return test_failure(std::string(stage), reason::protocol_error,
                        "the query has " + std::to_string(used) + " ? placeholders but " +
                            std::to_string(params.size()) + " parameters were given");
  }
  return out;
}

}  // namespace dsb::drivers::clickhouse
