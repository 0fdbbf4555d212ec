#include "drivers/postgres/pg_catalog.hpp"

#include "core/clock.hpp"
#include "drivers/blocking_pool.hpp"
#include "drivers/driver.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>

namespace dsb::drivers::postgres {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr const char* kStage = "fetch_schema";
constexpr std::size_t kProgressEvery = 1000;

// The WHERE conditions (on pg_class c and pg_namespace n) shared by the three
// queries, with the filter's schema names as parameters.
struct RelationFilter {
  std::string sql;
  Params params;
};

std::string placeholders(std::size_t first, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out += ", ";
    out += '$';
    out += std::to_string(first + i);
  }
  return out;
}

RelationFilter relation_filter(Flavor flavor, const SchemaFilter& filter) {
  RelationFilter f;
  f.sql =
      "c.relkind IN ('r', 'p', 'v', 'm', 'f')"
      " AND n.nspname NOT IN ('pg_catalog', 'information_schema'";
  if (flavor == Flavor::cockroachdb) f.sql += ", 'crdb_internal', 'pg_extension'";
  if (flavor == Flavor::redshift) f.sql += ", 'pg_internal', 'pg_automv'";
  f.sql += ") AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";
  // Partitions are listed through their parent (relispartition: PG 10+).
  if (flavor == Flavor::postgres) f.sql += " AND NOT c.relispartition";
  if (!filter.include.empty()) {
    f.sql += " AND n.nspname IN (" + placeholders(1, filter.include.size()) + ")";
    f.params.insert(f.params.end(), filter.include.begin(), filter.include.end());
  }
  if (!filter.exclude.empty()) {
    f.sql +=
        " AND n.nspname NOT IN (" + placeholders(f.params.size() + 1, filter.exclude.size()) + ")";
    f.params.insert(f.params.end(), filter.exclude.begin(), filter.exclude.end());
  }
  return f;
}

std::string relations_sql(const RelationFilter& f) {
  return "SELECT c.oid, n.nspname, c.relname, c.relkind"
         " FROM pg_catalog.pg_class c"
         " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE " +
         f.sql;
}

std::string columns_sql(const RelationFilter& f) {
  return "SELECT a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),"
         " a.attnotnull, a.attnum"
         " FROM pg_catalog.pg_attribute a"
         " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
         " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
         " WHERE a.attnum > 0 AND NOT a.attisdropped AND " +
         f.sql;
}

std::string primary_keys_sql(const RelationFilter& f) {
  return "SELECT k.conrelid, k.conkey"
         " FROM pg_catalog.pg_constraint k"
         " JOIN pg_catalog.pg_class c ON c.oid = k.conrelid"
         " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
         " WHERE k.contype = 'p' AND " +
         f.sql;
}

template <class Int>
Int parse_int(const char* text) {
  Int value{};
  std::from_chars(text, text + std::char_traits<char>::length(text), value);
  return value;
}

// "{1,3}" -> {1, 3}
std::vector<int> parse_int_array(std::string_view text) {
  std::vector<int> out;
  std::size_t at = 0;
  while (at < text.size()) {
    while (at < text.size() && (text[at] < '0' || text[at] > '9')) ++at;
    std::size_t end = at;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    if (end > at) {
      int value = 0;
      std::from_chars(text.data() + at, text.data() + end, value);
      out.push_back(value);
    }
    at = end;
  }
  return out;
}

const char* kind_of(char relkind) {
  return (relkind == 'v' || relkind == 'm') ? "view" : "table";
}

// Builds tables from the three result sets: a single pass over each, with a
// hash map from relation oid to table.
class SnapshotBuilder {
 public:
  void add_relations(const PGresult* rows) {
    const int n = PQntuples(rows);
    tables_.reserve(static_cast<std::size_t>(n));
    by_oid_.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      by_oid_.emplace(parse_int<std::uint32_t>(PQgetvalue(rows, i, 0)), tables_.size());
      tables_.push_back(Table{
          PQgetvalue(rows, i, 1), PQgetvalue(rows, i, 2), kind_of(PQgetvalue(rows, i, 3)[0]), {}});
    }
  }

  void add_columns(const PGresult* rows) {
    const int n = PQntuples(rows);
    for (int i = 0; i < n; ++i) {
      Table* table = find(PQgetvalue(rows, i, 0));
      if (table == nullptr) continue;  // created between the two queries
      table->columns.push_back(Column{PQgetvalue(rows, i, 1), PQgetvalue(rows, i, 2),
                                      PQgetvalue(rows, i, 3)[0] != 't', false,
                                      parse_int<int>(PQgetvalue(rows, i, 4))});
    }
    for (Table& table : tables_) {
      std::sort(table.columns.begin(), table.columns.end(),
                [](const Column& a, const Column& b) { return a.ordinal < b.ordinal; });
    }
  }

  // Columns still carry attnum as their ordinal here.
  void add_primary_keys(const PGresult* rows) {
    const int n = PQntuples(rows);
    for (int i = 0; i < n; ++i) {
      Table* table = find(PQgetvalue(rows, i, 0));
      if (table == nullptr) continue;
      for (int attnum : parse_int_array(PQgetvalue(rows, i, 1))) {
        auto it =
            std::lower_bound(table->columns.begin(), table->columns.end(), attnum,
                             [](const Column& column, int key) { return column.ordinal < key; });
        if (it != table->columns.end() && it->ordinal == attnum) it->primary_key = true;
      }
    }
  }

  std::vector<Table> finish(StageReporter& reporter) {
    const std::size_t total = tables_.size();
    for (std::size_t i = 0; i < total; ++i) {
      int ordinal = 0;
      for (Column& column : tables_[i].columns) column.ordinal = ++ordinal;
      if ((i + 1) % kProgressEvery == 0 && i + 1 < total) report(reporter, i + 1, total);
    }
    std::sort(tables_.begin(), tables_.end(), [](const Table& a, const Table& b) {
      return a.schema != b.schema ? a.schema < b.schema : a.name < b.name;
    });
    report(reporter, total, total);
    by_oid_.clear();
    return std::move(tables_);
  }

 private:
  Table* find(const char* oid) {
    const auto it = by_oid_.find(parse_int<std::uint32_t>(oid));
    return it == by_oid_.end() ? nullptr : &tables_[it->second];
  }

  static void report(StageReporter& reporter, std::size_t done, std::size_t total) {
    reporter.progress({{"tables", done}, {"total", total}});
  }

  std::vector<Table> tables_;
  std::unordered_map<std::uint32_t, std::size_t> by_oid_;
};

// Redshift has no REPEATABLE READ syntax; elsewhere one snapshot keeps the
// three queries consistent with each other.
const char* begin_sql(Flavor flavor) {
  return flavor == Flavor::redshift ? nullptr : "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";
}

// Converts `rows` into the builder on the blocking pool. The job shares
// both, so it stays valid even if the fetch is abandoned meanwhile.
asio::awaitable<void> convert_off_shard(std::shared_ptr<SnapshotBuilder> builder, PgResultPtr rows,
                                        void (SnapshotBuilder::*add)(const PGresult*)) {
  auto shared_rows = std::make_shared<PgResultPtr>(std::move(rows));
  std::function<void()> job = [builder, shared_rows, add] {
    ((*builder).*add)(shared_rows->get());
    shared_rows->reset();
  };
  co_await run_blocking_erased(std::move(job));
}

// The three queries run one after the other, and each result is converted
// on the blocking pool while the server runs the next query: the rows of a
// 10,000-table catalog never hold the shard thread, and the conversion costs
// no extra latency.
asio::awaitable<Result<SchemaSnapshot>> read_catalog(PgConnection& conn, Flavor flavor,
                                                     const SchemaFilter& filter,
                                                     StageReporter& reporter, Deadline deadline) {
  const RelationFilter where = relation_filter(flavor, filter);
  auto builder = std::make_shared<SnapshotBuilder>();
  auto relations = co_await conn.exec(relations_sql(where), where.params, deadline, kStage);
  if (!relations) co_return relations.error();

  // Named, not temporaries inside co_await (GCC 12 destroys those twice).
  // exec() is a lazy coroutine that keeps the string_view, not the string.
  const std::string columns_text = columns_sql(where);
  auto columns_query = conn.exec(columns_text, where.params, deadline, kStage);
  auto add_relations =
      convert_off_shard(builder, std::move(*relations), &SnapshotBuilder::add_relations);
  auto columns_step = std::move(columns_query) && std::move(add_relations);
  auto columns = co_await std::move(columns_step);
  if (!columns) co_return columns.error();

  const std::string keys_text = primary_keys_sql(where);
  auto keys_query = conn.exec(keys_text, where.params, deadline, kStage);
  auto add_columns = convert_off_shard(builder, std::move(*columns), &SnapshotBuilder::add_columns);
  auto keys_step = std::move(keys_query) && std::move(add_columns);
  auto keys = co_await std::move(keys_step);
  if (!keys) co_return keys.error();
  co_await convert_off_shard(builder, std::move(*keys), &SnapshotBuilder::add_primary_keys);

  SchemaSnapshot snapshot;
  snapshot.tables = builder->finish(reporter);
  snapshot.fetched_at_ms = now_unix_ms();
  co_return snapshot;
}

}  // namespace

asio::awaitable<Result<SchemaSnapshot>> fetch_pg_schema(PgConnection& conn, Flavor flavor,
                                                        const SchemaFilter& filter,
                                                        StageReporter& reporter,
                                                        Deadline deadline) {
  const char* begin = begin_sql(flavor);
  if (begin != nullptr) {
    if (auto begun = co_await conn.run(begin, deadline, kStage); !begun) co_return begun.error();
  }
  auto snapshot = co_await read_catalog(conn, flavor, filter, reporter, deadline);
  if (begin != nullptr && !conn.broken()) {
    // COMMIT after success, ROLLBACK after a failed query; either ends the
    // read-only transaction.
    auto ended = co_await conn.run(snapshot ? "COMMIT" : "ROLLBACK", deadline, kStage);
    if (!ended && snapshot) co_return ended.error();
  }
  co_return snapshot;
}

}  // namespace dsb::drivers::postgres
