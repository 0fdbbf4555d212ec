// The schema model every driver fills: schemas -> tables/views -> columns,
// and its JSON form (what the schema cache stores and serves).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dsb::drivers {

struct Column {
  std::string name;
  std::string type;  // as the database spells it
  bool nullable = true;
  bool primary_key = false;
  int ordinal = 0;  // 1-based position in the table
};

struct Table {
  std::string schema;
  std::string name;
  std::string kind;  // "table" or "view"
  std::vector<Column> columns;
};

struct SchemaSnapshot {
  std::vector<Table> tables;  // sorted by (schema, name)
  std::int64_t fetched_at_ms = 0;
};

// Which schemas to read: empty include = all non-system schemas.
struct SchemaFilter {
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  bool admits(const std::string& schema) const;
};

// The snapshot as JSON text:
//   [{"name", "tables": [{"name", "kind", "columns": [{name, type, nullable,
//   primary_key, ordinal}]}]}]
// Written table by table: a 10,000-table schema never exists as one DOM.
std::string schema_json_text(const SchemaSnapshot& s);

// Lower-case hex SHA-256 of the JSON text: the ETag.
std::string schema_hash(std::string_view json_text);

}  // namespace dsb::drivers
