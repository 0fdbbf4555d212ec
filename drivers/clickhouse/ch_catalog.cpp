#include "drivers/clickhouse/ch_catalog.hpp"

#include "core/clock.hpp"
#include "drivers/clickhouse/ch_query.hpp"
#include "drivers/clickhouse/ch_sql.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace dsb::drivers::clickhouse {

namespace asio = boost::asio;

namespace {

constexpr const char* kStage = "fetch_schema";
constexpr std::size_t kProgressEvery = 1000;
constexpr const char* kSystemDatabases[] = {"system", "INFORMATION_SCHEMA", "information_schema"};

// Which key columns this server's catalog tables have.
struct Capabilities {
  bool column_flag = false;     // system.columns.is_in_primary_key
  bool table_key_expr = false;  // system.tables.primary_key
};

std::string string_list(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& v : values) {
    if (!out.empty()) out += ", ";
    out += quote_string(v);
  }
  return out;
}

std::string database_condition(const std::string& column, const std::string& database,
                               const SchemaFilter& filter) {
  std::vector<std::string> wanted = filter.include;
  if (wanted.empty() && !database.empty()) wanted.push_back(database);
  std::string sql;
  if (!wanted.empty()) {
    sql = column + " IN (" + string_list(wanted) + ")";
  } else {
    sql = column + " NOT IN (" +
          string_list({std::begin(kSystemDatabases), std::end(kSystemDatabases)}) + ")";
  }
  if (!filter.exclude.empty())
    sql += " AND " + column + " NOT IN (" + string_list(filter.exclude) + ")";
  return sql;
}

bool is_view_engine(std::string_view engine) {
  return engine == "View" || engine == "MaterializedView" || engine == "LiveView";
}

bool nullable_type(std::string_view type) {
  return type.rfind("Nullable(", 0) == 0 || type.rfind("LowCardinality(Nullable(", 0) == 0;
}

std::string key(const std::optional<std::string>& database,
                const std::optional<std::string>& table) {
  std::string k = database.value_or("");
  k += '\0';
  k += table.value_or("");
  return k;
}

class SnapshotBuilder {
 public:
  // database, name, engine[, primary_key]
  void add_tables(const Rows& rows) {
    tables_.reserve(rows.rows.size());
    for (const Row& row : rows.rows) {
      by_key_.emplace(key(row[0], row[1]), tables_.size());
      const std::string engine = row[2].value_or("");
      tables_.push_back(Table{
          row[0].value_or(""), row[1].value_or(""), is_view_engine(engine) ? "view" : "table", {}});
      key_exprs_.push_back(row.size() > 3 ? row[3].value_or("") : std::string());
    }
  }

  // database, table, name, type[, is_in_primary_key], in table order.
  void add_columns(const Rows& rows) {
    for (const Row& row : rows.rows) {
      const auto it = by_key_.find(key(row[0], row[1]));
      if (it == by_key_.end()) continue;  // created between the two queries
      Table& table = tables_[it->second];
      const std::string type = row[3].value_or("");
      const bool pk = row.size() > 4 && row[4].value_or("0") == "1";
      table.columns.push_back(Column{row[2].value_or(""), type, nullable_type(type), pk,
                                     static_cast<int>(table.columns.size()) + 1});
    }
  }

  void mark_keys_from_expressions() {
    for (std::size_t i = 0; i < tables_.size(); ++i) {
      const auto names = primary_key_columns(key_exprs_[i]);
      const std::unordered_set<std::string> set(names.begin(), names.end());
      for (Column& c : tables_[i].columns) c.primary_key = set.count(c.name) > 0;
    }
  }

  std::vector<Table> finish(StageReporter& reporter) {
    std::sort(tables_.begin(), tables_.end(), [](const Table& a, const Table& b) {
      return a.schema != b.schema ? a.schema < b.schema : a.name < b.name;
    });
    const std::size_t total = tables_.size();
    for (std::size_t done = kProgressEvery; done < total; done += kProgressEvery) {
      reporter.progress({{"tables", done}, {"total", total}});
    }
    reporter.progress({{"tables", total}, {"total", total}});
    return std::move(tables_);
  }

 private:
  std::vector<Table> tables_;
  std::vector<std::string> key_exprs_;
  std::unordered_map<std::string, std::size_t> by_key_;
};

asio::awaitable<Result<Capabilities>> capabilities(ChHttp& http, Deadline deadline) {
  auto rows =
      co_await run_query(http,
                         "SELECT table, name FROM system.columns WHERE database = 'system' AND "
                         "((table = 'columns' AND name = 'is_in_primary_key') OR "
                         "(table = 'tables' AND name = 'primary_key'))",
                         deadline, kStage);
  if (!rows) co_return rows.error();
  Capabilities caps;
  for (const Row& row : rows->rows) {
    if (row[0] == "columns") caps.column_flag = true;
    if (row[0] == "tables") caps.table_key_expr = true;
  }
  co_return caps;
}

}  // namespace

std::vector<std::string> primary_key_columns(std::string_view expression) {
  std::vector<std::string> out;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= expression.size(); ++i) {
    const char c = i < expression.size() ? expression[i] : ',';
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c != ',' || depth != 0) continue;
    std::string_view part = expression.substr(start, i - start);
    start = i + 1;
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (part.size() >= 2 && part.front() == '`' && part.back() == '`') {
      part = part.substr(1, part.size() - 2);
    } else if (part.find_first_of("() +-*/'\"") != std::string_view::npos) {
      continue;  // an expression, not a column
    }
    if (!part.empty()) out.emplace_back(part);
  }
  return out;
}

asio::awaitable<Result<SchemaSnapshot>> fetch_ch_schema(ChHttp& http, const std::string& database,
                                                        const SchemaFilter& filter,
                                                        StageReporter& reporter,
                                                        Deadline deadline) {
  auto caps = co_await capabilities(http, deadline);
  if (!caps) co_return caps.error();
  const bool expr_keys = !caps->column_flag && caps->table_key_expr;

  std::string tables_sql = "SELECT database, name, engine";
  if (expr_keys) tables_sql += ", primary_key";
  tables_sql += " FROM system.tables WHERE " + database_condition("database", database, filter) +
                " AND is_temporary = 0 AND name NOT LIKE '.inner.%'";
  std::string columns_sql = "SELECT database, table, name, type";
  if (caps->column_flag) columns_sql += ", is_in_primary_key";
  columns_sql += " FROM system.columns WHERE " + database_condition("database", database, filter) +
                 " AND table NOT LIKE '.inner.%'";

  SnapshotBuilder builder;
  auto tables = co_await run_query(http, tables_sql, deadline, kStage);
  if (!tables) co_return tables.error();
  builder.add_tables(*tables);
  auto columns = co_await run_query(http, columns_sql, deadline, kStage);
  if (!columns) co_return columns.error();
  builder.add_columns(*columns);
  if (expr_keys) builder.mark_keys_from_expressions();

  SchemaSnapshot snapshot;
  snapshot.tables = builder.finish(reporter);
  snapshot.fetched_at_ms = now_unix_ms();
  co_return snapshot;
}

}  // namespace dsb::drivers::clickhouse
