#include "server/json_body.hpp"

#include <simdjson.h>

namespace dsb::server {
namespace json = boost::json;
namespace dom = simdjson::dom;

namespace {

// Parsers keep their buffers between requests; one per thread, no sharing.
dom::parser& thread_parser() {
  thread_local dom::parser parser;
  return parser;
}

json::value convert(dom::element e) {
  switch (e.type()) {
    case dom::element_type::OBJECT: {
      json::object o;
      for (auto field : dom::object(e)) o[field.key] = convert(field.value);
      return o;
    }
    case dom::element_type::ARRAY: {
      json::array a;
      for (auto item : dom::array(e)) a.push_back(convert(item));
      return a;
    }
    case dom::element_type::INT64: return json::value(std::int64_t(e));
    case dom::element_type::UINT64: return json::value(std::uint64_t(e));
    case dom::element_type::DOUBLE: return json::value(double(e));
    case dom::element_type::STRING: return json::value(std::string_view(e));
    case dom::element_type::BOOL: return json::value(bool(e));
    case dom::element_type::NULL_VALUE: return nullptr;
  }
  return nullptr;
}

std::string describe(simdjson::error_code code) {
  switch (code) {
    case simdjson::UTF8_ERROR: return "is not valid UTF-8";
    case simdjson::NUMBER_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE: return "contains a number out of range";
    case simdjson::TAPE_ERROR:
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
    case simdjson::UNCLOSED_STRING: return "is truncated or not valid JSON";
    case simdjson::DEPTH_ERROR: return "nests too deeply";
    default: return std::string("is not valid JSON (") + simdjson::error_message(code) + ")";
  }
}

}  // namespace

Result<json::value> parse_json_body(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return invalid_body({{"body", "is required"}}, "the request body is empty");
  simdjson::padded_string padded(body);
  dom::element root;
  if (auto err = thread_parser().parse(padded).get(root); err)
    return invalid_body({{"body", describe(err)}}, "the request body " + describe(err));
  return convert(root);
}

Result<json::object> parse_json_object(std::string_view body) {
  auto v = parse_json_body(body);
  if (!v) return v.error();
  if (!v->is_object())
    return invalid_body({{"body", "must be a JSON object"}}, "the request body must be a JSON object");
  return std::move(v->as_object());
}

}  // namespace dsb::server
