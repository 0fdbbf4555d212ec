#include "drivers/sqlite/sqlite_session.hpp"

#include "core/clock.hpp"
#include "drivers/blocking_pool.hpp"
#include "drivers/sqlite/sqlite_catalog.hpp"

namespace dsb::drivers::sqlite {

SqliteSession::SqliteSession(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}

SqliteSession::~SqliteSession() {
  if (db_) post_blocking([db = std::move(db_)]() mutable { db.reset(); });
}

asio::awaitable<Result<void>> SqliteSession::probe(Deadline deadline) {
  // Jobs are named before co_await: see run_blocking.
  auto job = [db = db_, deadline] { return db->query("SELECT 1", {}, deadline, "probe_query"); };
  auto rows = co_await run_blocking(std::move(job));
  if (!rows) co_return rows.error();
  if (rows->rows.size() != 1 || rows->rows[0].size() != 1 || rows->rows[0][0] != "1") {
    co_return test_failure("probe_query", reason::protocol_error, "SELECT 1 did not return 1");
  }
  co_return Result<void>{};
}

asio::awaitable<Result<SchemaSnapshot>> SqliteSession::fetch_schema(const SchemaFilter& filter,
                                                                    StageReporter& reporter,
                                                                    Deadline deadline) {
  SchemaSnapshot snapshot;
  if (filter.admits(kSchemaName)) {
    auto job = [db = db_, deadline] { return read_catalog(*db, deadline); };
    auto tables = co_await run_blocking(std::move(job));
    if (!tables) co_return tables.error();
    snapshot.tables = std::move(*tables);
  }
  reporter.progress({{"tables", snapshot.tables.size()}, {"total", snapshot.tables.size()}});
  snapshot.fetched_at_ms = now_unix_ms();
  co_return snapshot;
}

asio::awaitable<Result<std::vector<std::string>>> SqliteSession::list_databases(Deadline deadline) {
  auto job = [db = db_, deadline] {
    return db->query("SELECT name FROM pragma_database_list ORDER BY seq", {}, deadline,
                     "list_databases");
  };
  auto rows = co_await run_blocking(std::move(job));
  if (!rows) co_return rows.error();
  std::vector<std::string> names;
  for (const Row& row : rows->rows) names.push_back(row[0].value_or(std::string()));
  co_return names;
}

asio::awaitable<Result<Rows>> SqliteSession::query(std::string sql,
                                                   std::vector<std::optional<std::string>> params,
                                                   Deadline deadline) {
  auto job = [db = db_, sql = std::move(sql), params = std::move(params), deadline] {
    return db->query(sql, params, deadline, "query");
  };
  co_return co_await run_blocking(std::move(job));
}

}  // namespace dsb::drivers::sqlite
