#include "drivers/mysql/mysql_session.hpp"

#include "drivers/mysql/mysql_catalog.hpp"

#include <algorithm>

namespace dsb::drivers::mysql {

namespace {

Rows to_rows(MYSQL_RES* result) {
  Rows out;
  if (result == nullptr) return out;
  const unsigned columns = mysql_num_fields(result);
  const MYSQL_FIELD* fields = mysql_fetch_fields(result);
  for (unsigned c = 0; c < columns; ++c) out.columns.emplace_back(fields[c].name);
  out.rows.reserve(static_cast<std::size_t>(mysql_num_rows(result)));
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    const unsigned long* lengths = mysql_fetch_lengths(result);
    Row values;
    values.reserve(columns);
    for (unsigned c = 0; c < columns; ++c) {
      if (row[c] == nullptr) {
        values.emplace_back(std::nullopt);
      } else {
        values.emplace_back(std::string(row[c], lengths[c]));
      }
    }
    out.rows.push_back(std::move(values));
  }
  return out;
}

}  // namespace

MysqlSession::MysqlSession(MysqlConnection conn, std::string database)
    : conn_(std::move(conn)), database_(std::move(database)) {}

asio::awaitable<Result<void>> MysqlSession::probe(Deadline deadline) {
  auto result = co_await conn_.exec("SELECT 1", {}, deadline, "probe_query");
  if (!result) co_return result.error();
  const Rows rows = to_rows(result->get());
  if (rows.rows.size() != 1 || rows.rows[0].size() != 1 || rows.rows[0][0] != "1") {
    co_return test_failure("probe_query", reason::protocol_error, "SELECT 1 did not return 1");
  }
  co_return Result<void>{};
}

asio::awaitable<Result<SchemaSnapshot>> MysqlSession::fetch_schema(const SchemaFilter& filter,
                                                                   StageReporter& reporter,
                                                                   Deadline deadline) {
  co_return co_await fetch_mysql_schema(conn_, database_, filter, reporter, deadline);
}

asio::awaitable<Result<std::vector<std::string>>> MysqlSession::list_databases(Deadline deadline) {
  auto result = co_await conn_.exec("SHOW DATABASES", {}, deadline, "list_databases");
  if (!result) co_return result.error();
  std::vector<std::string> names;
  for (auto& row : to_rows(result->get()).rows) {
    if (!row.empty() && row[0] && !is_system_database(*row[0])) names.push_back(*row[0]);
  }
  std::sort(names.begin(), names.end());
  co_return names;
}

asio::awaitable<Result<Rows>> MysqlSession::query(std::string sql,
                                                  std::vector<std::optional<std::string>> params,
                                                  Deadline deadline) {
  auto result = co_await conn_.exec(sql, params, deadline, "query");
  if (!result) co_return result.error();
  co_return to_rows(result->get());
}

}  // namespace dsb::drivers::mysql
