#include "drivers/postgres/pg_session.hpp"

#include "drivers/postgres/pg_catalog.hpp"

namespace dsb::drivers::postgres {

namespace {

Rows to_rows(const PGresult* result) {
  Rows out;
  if (result == nullptr || PQresultStatus(result) != PGRES_TUPLES_OK) return out;
  const int columns = PQnfields(result);
  const int rows = PQntuples(result);
  out.columns.reserve(static_cast<std::size_t>(columns));
  for (int c = 0; c < columns; ++c) out.columns.emplace_back(PQfname(result, c));
  out.rows.reserve(static_cast<std::size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    Row row;
    row.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(result, r, c) != 0) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(PQgetvalue(result, r, c),
                                     static_cast<std::size_t>(PQgetlength(result, r, c))));
      }
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

}  // namespace

PgSession::PgSession(PgConnection conn, Flavor flavor) : conn_(std::move(conn)), flavor_(flavor) {}

asio::awaitable<Result<void>> PgSession::probe(Deadline deadline) {
  auto result = co_await conn_.exec("SELECT 1", {}, deadline, "probe_query");
  if (!result) co_return result.error();
  const PGresult* rows = result->get();
  if (PQntuples(rows) != 1 || std::string_view(PQgetvalue(rows, 0, 0)) != "1") {
    co_return test_failure("probe_query", reason::protocol_error, "SELECT 1 did not return 1");
  }
  co_return Result<void>{};
}

asio::awaitable<Result<SchemaSnapshot>> PgSession::fetch_schema(const SchemaFilter& filter,
                                                                StageReporter& reporter,
                                                                Deadline deadline) {
  co_return co_await fetch_pg_schema(conn_, flavor_, filter, reporter, deadline);
}

asio::awaitable<Result<std::vector<std::string>>> PgSession::list_databases(Deadline deadline) {
  auto result = co_await conn_.exec(
      "SELECT datname FROM pg_catalog.pg_database"
      " WHERE NOT datistemplate AND datallowconn ORDER BY datname",
      {}, deadline, "list_databases");
  if (!result) co_return result.error();
  std::vector<std::string> names;
  const PGresult* rows = result->get();
  for (int r = 0; r < PQntuples(rows); ++r) names.emplace_back(PQgetvalue(rows, r, 0));
  co_return names;
}

asio::awaitable<Result<Rows>> PgSession::query(std::string sql,
                                               std::vector<std::optional<std::string>> params,
                                               Deadline deadline) {
  auto result = co_await conn_.exec(sql, params, deadline, "query");
  if (!result) co_return result.error();
  co_return to_rows(result->get());
}

}  // namespace dsb::drivers::postgres
