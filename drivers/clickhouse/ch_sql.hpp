// ClickHouse SQL text: quoting literals and identifiers, and binding ?
// parameters. ClickHouse 18.16 has no server-side query parameters (the
// {name:Type} syntax came in 19.x), so parameters are bound here, as string
// literals escaped by ClickHouse's rules, never spliced in raw. Every value
// becomes a String literal; compare it with a number through a conversion
// (`WHERE id = toUInt64(?)`), since 18.16 refuses UInt64 = String.
#pragma once

#include "core/failure.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dsb::drivers::clickhouse {

// 'text' with \\ \' \0 \b \f \n \r \t and \xHH (other control bytes) escaped;
// other bytes (UTF-8) as they are.
std::string quote_string(std::string_view text);

// `name` with \\ and \` escaped.
std::string quote_identifier(std::string_view name);

// Replaces each ? outside string literals, quoted identifiers and comments
// with the next parameter (quote_string, or NULL for nullopt). Fails with
// protocol_error (stage `stage`) when the counts differ.
Result<std::string> bind_parameters(std::string_view sql,
                                    const std::vector<std::optional<std::string>>& params,
                                    std::string_view stage);

}  // namespace dsb::drivers::clickhouse
