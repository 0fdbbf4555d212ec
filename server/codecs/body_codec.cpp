#include "server/codecs/body_codec.hpp"

#include "server/codecs/form_body.hpp"
#include "server/codecs/xml_body.hpp"
#include "server/json_body.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace dsb::server::codecs {

namespace {

std::string media_type(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  std::string out;
  for (char c : content_type)
    if (c != ' ' && c != '\t')
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

char first_visible(std::string_view body) {
  const auto at = body.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  return at == std::string_view::npos ? '\0' : body[at];
}

}  // namespace

std::optional<BodyFormat> format_of(std::string_view content_type) {
  const std::string type = media_type(content_type);
  if (type == "application/json" || ends_with(type, "+json")) return BodyFormat::json;
  if (type == "application/xml" || type == "text/xml" || ends_with(type, "+xml"))
    return BodyFormat::xml;
  if (type == "application/x-www-form-urlencoded") return BodyFormat::form;
  return std::nullopt;
}

Result<boost::json::object> decode_body(std::string_view content_type, std::string_view body,
                                        std::string_view xml_root) {
  std::optional<BodyFormat> format;
  if (media_type(content_type).empty()) {
    const char first = first_visible(body);
    format = first == '{' ? BodyFormat::json : first == '<' ? BodyFormat::xml : BodyFormat::form;
  } else {
    format = format_of(content_type);
  }
  if (!format)
    return fail(415, "UNSUPPORTED_MEDIA_TYPE",
                "Content-Type must be application/json, application/xml or "
                "application/x-www-form-urlencoded");
  if (*format == BodyFormat::form && first_visible(body) == '{') format = BodyFormat::json;
  switch (*format) {
    case BodyFormat::json:
      return parse_json_object(body);
    case BodyFormat::xml:
      return decode_xml(body, xml_root);
    case BodyFormat::form:
      return decode_form(body);
  }
  return internal_error("unknown body format");
}

}  // namespace dsb::server::codecs
