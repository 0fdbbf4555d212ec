// Request bodies are parsed with simdjson (validating UTF-8 and numbers) and
// handed on as Boost.JSON values, which the domain code edits and serializes.
#pragma once

#include "core/failure.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string_view>

namespace dsb::server {

// Parses `body` as JSON; a Failure (400 INVALID_REQUEST_BODY) names what is
// wrong: empty body, syntax, invalid UTF-8, out-of-range number.
Result<boost::json::value> parse_json_body(std::string_view body);

// As parse_json_body, and the top level must be an object.
Result<boost::json::object> parse_json_object(std::string_view body);

}  // namespace dsb::server
