#include "server/codecs/xml_body.hpp"

#include "server/codecs/utf8.hpp"

#include <pugixml.hpp>

#include <string>

namespace dsb::server::codecs {
namespace json = boost::json;

namespace {

constexpr int kMaxDepth = 16;

Failure bad_xml(std::string problem) {
  return invalid_body({{"body", problem}}, "the XML body " + problem);
}

bool is_blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

void add(json::object& out, std::string_view key, json::value v) {
  json::value* existing = out.if_contains(key);
  if (existing == nullptr) {
    out[key] = std::move(v);
    return;
  }
  if (!existing->is_array()) {
    json::array values;
    values.emplace_back(std::move(*existing));
    *existing = std::move(values);
  }
  existing->as_array().emplace_back(std::move(v));
}

Result<json::value> convert(const pugi::xml_node& node, int depth);

Result<json::object> children_of(const pugi::xml_node& node, int depth) {
  if (depth > kMaxDepth)
    return bad_xml("nests deeper than " + std::to_string(kMaxDepth) + " levels");
  json::object out;
  for (const pugi::xml_node& child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    if (!is_valid_utf8(child.name())) return bad_xml("is not valid UTF-8");
    auto v = convert(child, depth + 1);
    if (!v) return v.error();
    add(out, child.name(), std::move(*v));
  }
  return out;
}

Result<json::value> convert(const pugi::xml_node& node, int depth) {
  bool has_elements = false;
  std::string text;
  for (const pugi::xml_node& child : node.children()) {
    if (child.type() == pugi::node_element) has_elements = true;
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata)
      text += child.value();
  }
  if (has_elements) {
    if (!is_blank(text))
      return bad_xml("mixes text and elements in <" + std::string(node.name()) + ">");
    auto o = children_of(node, depth);
    if (!o) return o.error();
    return json::value(std::move(*o));
  }
  if (!is_valid_utf8(text)) return bad_xml("is not valid UTF-8");
  return json::value(json::string(text));
}

}  // namespace

Result<json::object> decode_xml(std::string_view body, std::string_view root) {
  if (is_blank(body)) return invalid_body({{"body", "is required"}}, "the request body is empty");
  pugi::xml_document doc;
  // parse_default reads no DOCTYPE and expands only built-in entities.
  const pugi::xml_parse_result parsed =
      doc.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_auto);
  if (!parsed)
    return bad_xml("is not well-formed XML (" + std::string(parsed.description()) + " at byte " +
                   std::to_string(parsed.offset) + ")");
  const pugi::xml_node top = doc.document_element();
  if (!top) return bad_xml("has no root element");
  if (std::string_view(top.name()) != root)
    return bad_xml("must have the root element <" + std::string(root) + ">, not <" +
                   std::string(top.name()) + ">");
  for (const pugi::xml_node& child : top.children())
    if ((child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) &&
        !is_blank(child.value()))
      return bad_xml("has text directly inside <" + std::string(root) + ">");
  return children_of(top, 1);
}

}  // namespace dsb::server::codecs
