#include "drivers/sqlite/sqlite_catalog.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <unordered_map>

namespace dsb::drivers::sqlite {

namespace {

constexpr const char* kStage = "fetch_schema";

// sqlite_schema is the name since 3.33; sqlite_master works everywhere.
std::string schema_table() {
  return sqlite3_libversion_number() >= 3033000 ? "sqlite_schema" : "sqlite_master";
}

std::string objects_condition(const std::string& alias) {
  return alias + ".type IN ('table', 'view') AND " + alias +
         ".name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";
}

int to_int(const std::optional<std::string>& v) {
  int out = 0;
  if (v) std::from_chars(v->data(), v->data() + v->size(), out);
  return out;
}

std::string text(const std::optional<std::string>& v) {
  return v.value_or(std::string());
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// cid, name, type, notnull, pk of one pragma_table_info row, from `first`.
Column column_of(const Row& row, std::size_t first) {
  return Column{text(row[first + 1]), text(row[first + 2]), to_int(row[first + 3]) == 0,
                to_int(row[first + 4]) > 0, to_int(row[first]) + 1};
}

// A rowid table's single INTEGER PRIMARY KEY column aliases the rowid, which
// is never null (other primary key columns of rowid tables may be).
void mark_rowid_alias(Table& table) {
  if (table.kind != "table") return;
  Column* only = nullptr;
  for (Column& c : table.columns) {
    if (!c.primary_key) continue;
    if (only != nullptr) return;
    only = &c;
  }
  if (only != nullptr && iequals(only->type, "INTEGER")) only->nullable = false;
}

// Columns object by object; a failing object (a broken view) gets none.
Result<void> columns_one_by_one(SqliteDb& db, std::vector<Table>& tables, Deadline deadline) {
  for (Table& table : tables) {
    auto rows = db.query("SELECT cid, name, type, \"notnull\", pk FROM pragma_table_info(?)",
                         {table.name}, deadline, kStage);
    if (!rows) {
      if (rows.error().reason == reason::timeout) return rows.error();
      continue;
    }
    for (const Row& row : rows->rows) table.columns.push_back(column_of(row, 0));
  }
  return {};
}

}  // namespace

Result<std::vector<Table>> read_catalog(SqliteDb& db, Deadline deadline) {
  const std::string schema = schema_table();
  auto objects = db.query("SELECT m.name, m.type FROM " + schema + " AS m WHERE " +
                              objects_condition("m") + " ORDER BY m.name",
                          {}, deadline, kStage);
  if (!objects) return objects.error();
  std::vector<Table> tables;
  std::unordered_map<std::string, std::size_t> by_name;
  for (const Row& row : objects->rows) {
    by_name.emplace(text(row[0]), tables.size());
    tables.push_back(
        Table{kSchemaName, text(row[0]), text(row[1]) == "view" ? "view" : "table", {}});
  }

  auto columns = db.query("SELECT m.name, p.cid, p.name, p.type, p.\"notnull\", p.pk FROM " +
                              schema + " AS m JOIN pragma_table_info(m.name) AS p WHERE " +
                              objects_condition("m") + " ORDER BY m.name, p.cid",
                          {}, deadline, kStage);
  if (columns) {
    for (const Row& row : columns->rows) {
      const auto it = by_name.find(text(row[0]));
      if (it != by_name.end()) tables[it->second].columns.push_back(column_of(row, 1));
    }
  } else if (columns.error().reason == reason::timeout) {
    return columns.error();
  } else if (auto each = columns_one_by_one(db, tables, deadline); !each) {
    return each.error();
  }
  for (Table& table : tables) mark_rowid_alias(table);
  return tables;
}

}  // namespace dsb::drivers::sqlite
