// application/xml bodies (pugixml): one root element whose child elements
// are the fields, e.g. <item><host>db</host><ssl>true</ssl></item>.
#pragma once

#include "core/failure.hpp"

#include <boost/json/object.hpp>

#include <string_view>

namespace dsb::server::codecs {

// The children of the root element `root` as fields: an element with text
// (or nothing) is a string ("true"/"false" stay text: the mapping that reads
// the object knows which fields are booleans); an element with child
// elements is an object; a name repeated among siblings becomes an array.
// Attributes, comments and processing instructions are ignored. No DTD is
// read and no entity other than the XML built-ins and character references
// is expanded. 400 INVALID_REQUEST_BODY for an empty body, malformed XML,
// another root, mixed text and elements, nesting deeper than 16 or text that
// is not UTF-8.
Result<boost::json::object> decode_xml(std::string_view body, std::string_view root = "item");

}  // namespace dsb::server::codecs
