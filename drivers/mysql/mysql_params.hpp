// Binding ? parameters into MySQL statement text.
//
// Connector/C's prepared statements have a non-blocking API too, but it is
// awkward for result sets of unknown shape; instead each parameter becomes a
// quoted literal escaped by mysql_real_escape_string. That is safe because the
// connection's character set is fixed to utf8mb4 before connecting (so the
// escaping and the server agree on where every character ends: no multi-byte
// sequence can swallow the backslash), the escaping follows the server's
// NO_BACKSLASH_ESCAPES mode, values are never rescanned for placeholders, and
// multi-statements are off, so a value can only ever be one string literal.
#pragma once

#include "core/failure.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dsb::drivers::mysql {

using Params = std::vector<std::optional<std::string>>;

// Escapes the inside of a '...' literal.
using Escaper = std::function<std::string(std::string_view)>;

// Replaces each ? in `sql` that is outside quotes ('...', "...", `...`) and
// comments (-- , #, /* */) with the next parameter as '<escaped>' (nullopt:
// NULL). Fails when the number of placeholders and parameters differ.
Result<std::string> bind_params(std::string_view sql, const Params& params, const Escaper& escape);

}  // namespace dsb::drivers::mysql
