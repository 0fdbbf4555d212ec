// ODBC connection strings as MicroStrategy connections carry them:
// "DRIVER={PostgreSQL Unicode};SERVER=db.example.com;PORT=5432;DATABASE=sales"
// or a data source name, "DSN=SNOWFLAKE_DSN".
#pragma once

#include "core/failure.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dsb::server::codecs {

struct OdbcAttribute {
  std::string key;    // upper-cased, trimmed: "SERVER"
  std::string value;  // trimmed unless braced; "{a;b}" gives "a;b", "}}" inside braces gives "}"
};

// Splits `text` at the semicolons outside braces. Empty pieces are skipped;
// attributes keep their order (ODBC uses the first of a repeated key).
// 400 INVALID_REQUEST_BODY naming `field` for a piece without '=', an
// empty key or an unterminated brace.
Result<std::vector<OdbcAttribute>> parse_odbc_connection_string(std::string_view text,
                                                                std::string_view field);

// The value of the first attribute whose key is one of `keys`.
std::optional<std::string> odbc_value(const std::vector<OdbcAttribute>& attrs,
                                      std::initializer_list<std::string_view> keys);

}  // namespace dsb::server::codecs
