// Reading information_schema into a SchemaSnapshot with three queries
// (tables, columns, primary-key columns), whatever the number of tables.
#pragma once

#include "core/failure.hpp"
#include "drivers/mysql/mysql_connection.hpp"
#include "drivers/schema.hpp"
#include "drivers/stage_reporter.hpp"

#include <boost/asio/awaitable.hpp>

namespace dsb::drivers::mysql {

// In MySQL a schema is a database. Reads the filter's include list, else
// `database` (the connection's), else every non-system database; minus the
// exclude list. Tables sorted by (schema, name), columns in table order.
// Reports {"tables": n, "total": N} progress while building tables.
boost::asio::awaitable<Result<SchemaSnapshot>> fetch_mysql_schema(MysqlConnection& conn,
                                                                  const std::string& database,
                                                                  const SchemaFilter& filter,
                                                                  StageReporter& reporter,
                                                                  Deadline deadline);

// Databases every MySQL-family server has for itself.
bool is_system_database(std::string_view name);

}  // namespace dsb::drivers::mysql
