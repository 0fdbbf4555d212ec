// Reading a ClickHouse catalog: one query on system.tables and one on
// system.columns (plus one small query that asks which key columns this
// server version has), never one per table.
#pragma once

#include "drivers/clickhouse/ch_http.hpp"
#include "drivers/driver.hpp"

#include <boost/asio/awaitable.hpp>

#include <string>

namespace dsb::drivers::clickhouse {

// Databases read: filter.include, else `database` when set, else every
// database but system / INFORMATION_SCHEMA; minus filter.exclude. Each
// database is a schema. Views and materialized views have kind "view"; the
// .inner.* tables behind materialized views are left out. Nullable when the
// type is Nullable(...) (also inside LowCardinality). Primary key from
// system.columns.is_in_primary_key where the server has it (18.16 does),
// else from parsing system.tables.primary_key, else no column is marked.
boost::asio::awaitable<Result<SchemaSnapshot>> fetch_ch_schema(ChHttp& http,
                                                               const std::string& database,
                                                               const SchemaFilter& filter,
                                                               StageReporter& reporter,
                                                               Deadline deadline);

// The column names in a primary key expression list ("a, `b`, toDate(c)"
// gives a and b: expressions name no single column).
std::vector<std::string> primary_key_columns(std::string_view expression);

}  // namespace dsb::drivers::clickhouse
