#include "drivers/clickhouse/ch_session.hpp"

#include "drivers/clickhouse/ch_catalog.hpp"
#include "drivers/clickhouse/ch_query.hpp"
#include "drivers/clickhouse/ch_sql.hpp"

namespace dsb::drivers::clickhouse {

ChSession::ChSession(std::unique_ptr<ChHttp> http, std::string database)
    : http_(std::move(http)), database_(std::move(database)) {}

asio::awaitable<Result<void>> ChSession::probe(Deadline deadline) {
  auto rows = co_await run_query(*http_, "SELECT 1", deadline, "probe_query");
  if (!rows) co_return rows.error();
  if (rows->rows.size() != 1 || rows->rows[0].size() != 1 || rows->rows[0][0] != "1") {
    co_return test_failure("probe_query", reason::protocol_error, "SELECT 1 did not return 1");
  }
  co_return Result<void>{};
}

asio::awaitable<Result<SchemaSnapshot>> ChSession::fetch_schema(const SchemaFilter& filter,
                                                                StageReporter& reporter,
                                                                Deadline deadline) {
  co_return co_await fetch_ch_schema(*http_, database_, filter, reporter, deadline);
}

asio::awaitable<Result<std::vector<std::string>>> ChSession::list_databases(Deadline deadline) {
  auto rows = co_await run_query(*http_, "SELECT name FROM system.databases ORDER BY name",
                                 deadline, "list_databases");
  if (!rows) co_return rows.error();
  std::vector<std::string> names;
  for (const Row& row : rows->rows) names.push_back(row[0].value_or(std::string()));
  co_return names;
}

asio::awaitable<Result<Rows>> ChSession::query(std::string sql,
                                               std::vector<std::optional<std::string>> params,
                                               Deadline deadline) {
  auto bound = bind_parameters(sql, params, "query");
  if (!bound) co_return bound.error();
  co_return co_await run_query(*http_, *bound, deadline, "query");
}

}  // namespace dsb::drivers::clickhouse
