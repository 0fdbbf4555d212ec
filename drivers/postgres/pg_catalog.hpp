// Reading a PostgreSQL catalog into a SchemaSnapshot with three queries
// (relations, columns, primary keys), whatever the number of tables.
#pragma once

#include "core/failure.hpp"
#include "drivers/postgres/pg_connection.hpp"
#include "drivers/postgres/postgres_driver.hpp"
#include "drivers/schema.hpp"
#include "drivers/stage_reporter.hpp"

#include <boost/asio/awaitable.hpp>

namespace dsb::drivers::postgres {

// Tables, views (plain and materialized) and foreign tables of the schemas
// `filter` admits, minus the system schemas; sorted by (schema, name), with
// columns in table order (ordinal 1..n, dropped columns skipped). Reports
// {"tables": n, "total": N} progress while building tables.
boost::asio::awaitable<Result<SchemaSnapshot>> fetch_pg_schema(PgConnection& conn, Flavor flavor,
                                                               const SchemaFilter& filter,
                                                               StageReporter& reporter,
                                                               Deadline deadline);

}  // namespace dsb::drivers::postgres
