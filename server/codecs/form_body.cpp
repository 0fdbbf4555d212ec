#include "server/codecs/form_body.hpp"

#include "server/codecs/utf8.hpp"

#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse_query.hpp>

#include <string>

namespace dsb::server::codecs {
namespace json = boost::json;

namespace {

Failure bad_form(std::string problem) {
  return invalid_body({{"body", problem}}, "the form body " + problem);
}

void add(json::object& out, std::string key, std::string value) {
  json::value* existing = out.if_contains(key);
  if (existing == nullptr) {
    out[key] = json::string(value);
    return;
  }
  if (!existing->is_array()) {
    json::array values;
    values.emplace_back(std::move(*existing));
    *existing = std::move(values);
  }
  existing->as_array().emplace_back(json::string(value));
}

}  // namespace

Result<json::object> decode_form(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return invalid_body({{"body", "is required"}}, "the request body is empty");
  // Trailing line breaks are what shells and editors add; they are not data.
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.remove_suffix(1);
  // Boost.URL 1.81's parse_query reads its last field up to a NUL rather
  // than the view's end, so it gets a NUL-terminated copy.
  const std::string text(body);
  auto params = boost::urls::parse_query(text);
  if (!params) return bad_form("is not valid application/x-www-form-urlencoded text");
  const boost::urls::encoding_opts form_encoding(/*space_as_plus=*/true);
  json::object out;
  for (auto p : *params) {
    if (p.key.empty() && !p.has_value) continue;  // "a=1&&b=2"
    std::string key = p.key.decode(form_encoding);
    std::string value = p.has_value ? p.value.decode(form_encoding) : std::string();
    if (key.empty()) return bad_form("has a field without a name");
    if (key.find('\0') != std::string::npos || value.find('\0') != std::string::npos)
      return bad_form("contains a NUL byte");
    if (!is_valid_utf8(key) || !is_valid_utf8(value)) return bad_form("is not valid UTF-8");
    add(out, std::move(key), std::move(value));
  }
  return out;
}

}  // namespace dsb::server::codecs
