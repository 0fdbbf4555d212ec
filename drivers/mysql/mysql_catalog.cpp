#include "drivers/mysql/mysql_catalog.hpp"

#include "core/clock.hpp"

#include <algorithm>
#include <charconv>
#include <unordered_map>

namespace dsb::drivers::mysql {

namespace asio = boost::asio;

namespace {

constexpr const char* kStage = "fetch_schema";
constexpr std::size_t kProgressEvery = 1000;
constexpr std::string_view kSystemDatabases[] = {
    "information_schema",
    "mysql",
    "performance_schema",
    "sys",  // MySQL, MariaDB
    "memsql",
    "cluster",  // SingleStore
};

// The TABLE_SCHEMA condition shared by the three queries.
struct SchemaCondition {
  std::string sql;
  Params params;
};

std::string placeholders(std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

SchemaCondition schema_condition(const std::string& database, const SchemaFilter& filter) {
  SchemaCondition c;
  std::vector<std::string> wanted = filter.include;
  if (wanted.empty() && !database.empty()) wanted.push_back(database);
  if (!wanted.empty()) {
    c.sql = "TABLE_SCHEMA IN (" + placeholders(wanted.size()) + ")";
    c.params.assign(wanted.begin(), wanted.end());
  } else {
    c.sql = "TABLE_SCHEMA NOT IN (" + placeholders(std::size(kSystemDatabases)) + ")";
    c.params.assign(std::begin(kSystemDatabases), std::end(kSystemDatabases));
  }
  if (!filter.exclude.empty()) {
    c.sql += " AND TABLE_SCHEMA NOT IN (" + placeholders(filter.exclude.size()) + ")";
    c.params.insert(c.params.end(), filter.exclude.begin(), filter.exclude.end());
  }
  return c;
}

std::string field(MYSQL_ROW row, const unsigned long* lengths, int index) {
  return row[index] == nullptr ? std::string() : std::string(row[index], lengths[index]);
}

// schema \0 table: both are identifiers, which cannot contain NUL.
std::string table_key(MYSQL_ROW row, const unsigned long* lengths) {
  std::string key = field(row, lengths, 0);
  key += '\0';
  key += field(row, lengths, 1);
  return key;
}

// Iterates the rows of a stored result (no I/O).
template <class F>
void for_each_row(MYSQL_RES* result, F&& f) {
  if (result == nullptr) return;
  while (MYSQL_ROW row = mysql_fetch_row(result)) f(row, mysql_fetch_lengths(result));
}

class SnapshotBuilder {
 public:
  void add_tables(MYSQL_RES* rows) {
    const auto n = static_cast<std::size_t>(rows == nullptr ? 0 : mysql_num_rows(rows));
    tables_.reserve(n);
    by_key_.reserve(n);
    for_each_row(rows, [&](MYSQL_ROW row, const unsigned long* lengths) {
      by_key_.emplace(table_key(row, lengths), tables_.size());
      const std::string type = field(row, lengths, 2);
      tables_.push_back(Table{field(row, lengths, 0),
                              field(row, lengths, 1),
                              type.find("VIEW") != std::string::npos ? "view" : "table",
                              {}});
    });
  }

  void add_columns(MYSQL_RES* rows) {
    for_each_row(rows, [&](MYSQL_ROW row, const unsigned long* lengths) {
      Table* table = find(row, lengths);
      if (table == nullptr) return;
      int position = 0;
      const std::string ordinal = field(row, lengths, 5);
      std::from_chars(ordinal.data(), ordinal.data() + ordinal.size(), position);
      table->columns.push_back(Column{field(row, lengths, 2), field(row, lengths, 3),
                                      field(row, lengths, 4) == "YES", false, position});
    });
  }

  void add_primary_keys(MYSQL_RES* rows) {
    for_each_row(rows, [&](MYSQL_ROW row, const unsigned long* lengths) {
      Table* table = find(row, lengths);
      if (table == nullptr) return;
      const std::string name = field(row, lengths, 2);
      for (Column& column : table->columns) {
        if (column.name == name) column.primary_key = true;
      }
    });
  }

  std::vector<Table> finish(StageReporter& reporter) {
    const std::size_t total = tables_.size();
    for (std::size_t i = 0; i < total; ++i) {
      auto& columns = tables_[i].columns;
      std::sort(columns.begin(), columns.end(),
                [](const Column& a, const Column& b) { return a.ordinal < b.ordinal; });
      int ordinal = 0;
      for (Column& column : columns) column.ordinal = ++ordinal;
      if ((i + 1) % kProgressEvery == 0 && i + 1 < total) report(reporter, i + 1, total);
    }
    std::sort(tables_.begin(), tables_.end(), [](const Table& a, const Table& b) {
      return a.schema != b.schema ? a.schema < b.schema : a.name < b.name;
    });
    report(reporter, total, total);
    by_key_.clear();
    return std::move(tables_);
  }

 private:
  Table* find(MYSQL_ROW row, const unsigned long* lengths) {
    const auto it = by_key_.find(table_key(row, lengths));
    return it == by_key_.end() ? nullptr : &tables_[it->second];
  }

  static void report(StageReporter& reporter, std::size_t done, std::size_t total) {
    reporter.progress({{"tables", done}, {"total", total}});
  }

  std::vector<Table> tables_;
  std::unordered_map<std::string, std::size_t> by_key_;
};

}  // namespace

bool is_system_database(std::string_view name) {
  return std::find(std::begin(kSystemDatabases), std::end(kSystemDatabases), name) !=
         std::end(kSystemDatabases);
}

asio::awaitable<Result<SchemaSnapshot>> fetch_mysql_schema(MysqlConnection& conn,
                                                           const std::string& database,
                                                           const SchemaFilter& filter,
                                                           StageReporter& reporter,
                                                           Deadline deadline) {
  const SchemaCondition where = schema_condition(database, filter);
  SnapshotBuilder builder;

  auto tables = co_await conn.exec(
      "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE " +
          where.sql,
      where.params, deadline, kStage);
  if (!tables) co_return tables.error();
  builder.add_tables(tables->get());
  tables->reset();

  auto columns = co_await conn.exec(
      "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, ORDINAL_POSITION"
      " FROM information_schema.COLUMNS WHERE " +
          where.sql,
      where.params, deadline, kStage);
  if (!columns) co_return columns.error();
  builder.add_columns(columns->get());
  columns->reset();

  auto keys = co_await conn.exec(
      "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE"
      " WHERE CONSTRAINT_NAME = 'PRIMARY' AND " +
          where.sql,
      where.params, deadline, kStage);
  if (!keys) co_return keys.error();
  builder.add_primary_keys(keys->get());

  SchemaSnapshot snapshot;
  snapshot.tables = builder.finish(reporter);
  snapshot.fetched_at_ms = now_unix_ms();
  co_return snapshot;
}

}  // namespace dsb::drivers::mysql
