// application/x-www-form-urlencoded bodies (Boost.URL): "a=1&b=x+y".
#pragma once

#include "core/failure.hpp"

#include <boost/json/object.hpp>

#include <string_view>

namespace dsb::server::codecs {

// Every field as a string ('+' is a space, %XX escapes decoded); a name
// given more than once becomes an array of its values, in order; a name
// without '=' has the value "". 400 INVALID_REQUEST_BODY for an empty body,
// bad escapes, an empty name, NUL bytes or text that is not UTF-8.
Result<boost::json::object> decode_form(std::string_view body);

}  // namespace dsb::server::codecs
