// Request bodies of the compat surfaces: JSON, XML or form-urlencoded,
// chosen by Content-Type, each decoded into a JSON object the surface's
// mapping reads. XML and form values arrive as strings (those formats have
// no other scalar); the mapping gives them their types.
#pragma once

#include "core/failure.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string_view>

namespace dsb::server::codecs {

enum class BodyFormat { json, xml, form };

// The format a Content-Type names, ignoring case and parameters:
// application/json and */*+json; application/xml, text/xml and */*+xml;
// application/x-www-form-urlencoded. nullopt for anything else.
std::optional<BodyFormat> format_of(std::string_view content_type);

// Decodes `body` as `content_type` says. A form body that is a JSON object
// is read as JSON: the vendors' own snippets send JSON under the form
// content type, and '{' cannot start a form body. Without a Content-Type
// the body is recognised by its first character ('{' JSON, '<' XML, else
// form). 415 UNSUPPORTED_MEDIA_TYPE for another content type; 400
// INVALID_REQUEST_BODY for a body that does not decode. `xml_root` is the
// root element XML bodies must have.
Result<boost::json::object> decode_body(std::string_view content_type, std::string_view body,
                                        std::string_view xml_root = "item");

}  // namespace dsb::server::codecs
