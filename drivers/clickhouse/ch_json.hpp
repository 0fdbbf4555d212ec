// Parsing ClickHouse's FORMAT JSONCompact answers (simdjson, on demand):
// {"meta": [{"name", "type"}...], "data": [[v, ...]...], "rows": n, ...}.
#pragma once

#include "drivers/driver.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace dsb::drivers::clickhouse {

// Column names from "meta" and every row of "data" as text: strings
// unescaped, null as nullopt, numbers and booleans as written (64-bit
// integers arrive quoted, so they stay exact), arrays, tuples and maps as
// their compact JSON. An empty body (a statement without result) gives no
// columns and no rows. Returns nullopt, with `error` set, when the body is
// not JSONCompact.
std::optional<Rows> parse_json_compact(std::string_view body, std::string& error);

}  // namespace dsb::drivers::clickhouse
