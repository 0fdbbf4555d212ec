#include "server/codecs/odbc_connection_string.hpp"

#include <algorithm>
#include <cctype>

namespace dsb::server::codecs {

namespace {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

Failure bad(std::string_view field, std::string problem) {
  return invalid_body({{std::string(field), problem}}, std::string(field) + " " + problem);
}

}  // namespace

Result<std::vector<OdbcAttribute>> parse_odbc_connection_string(std::string_view text,
                                                                std::string_view field) {
  std::vector<OdbcAttribute> out;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t eq = text.find_first_of("=;", i);
    if (eq == std::string_view::npos || text[eq] == ';') {
      const std::string_view piece =
          trim(text.substr(i, eq == std::string_view::npos ? eq : eq - i));
      if (!piece.empty()) return bad(field, "has \"" + std::string(piece) + "\" without '='");
      i = eq == std::string_view::npos ? text.size() : eq + 1;
      continue;
    }
    const std::string key = upper(trim(text.substr(i, eq - i)));
    if (key.empty()) return bad(field, "has a value without a key");
    std::size_t j = eq + 1;
    while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j;
    std::string value;
    if (j < text.size() && text[j] == '{') {
      ++j;
      bool closed = false;
      while (j < text.size()) {
        if (text[j] == '}') {
          if (j + 1 < text.size() && text[j + 1] == '}') {
            value += '}';
            j += 2;
            continue;
          }
          closed = true;
          ++j;
          break;
        }
        value += text[j++];
      }
      if (!closed) return bad(field, "has an unterminated '{' in " + key);
      const std::size_t end = text.find(';', j);
      if (!trim(text.substr(j, end == std::string_view::npos ? end : end - j)).empty())
        return bad(field, "has text after the closing '}' of " + key);
      i = end == std::string_view::npos ? text.size() : end + 1;
    } else {
      const std::size_t end = text.find(';', j);
      value = std::string(trim(text.substr(j, end == std::string_view::npos ? end : end - j)));
      i = end == std::string_view::npos ? text.size() : end + 1;
    }
    out.push_back({key, std::move(value)});
  }
  return out;
}

std::optional<std::string> odbc_value(const std::vector<OdbcAttribute>& attrs,
                                      std::initializer_list<std::string_view> keys) {
  for (const auto& a : attrs)
    if (std::find(keys.begin(), keys.end(), a.key) != keys.end()) return a.value;
  return std::nullopt;
}

}  // namespace dsb::server::codecs
