// The schema model every driver fills: schemas -> tables/views -> columns.
#pragma once

#include <cstdint>
#include <string>
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

}  // namespace dsb::drivers

#include <boost/json/value.hpp>

namespace dsb::drivers {

// [{"name", "tables": [{"name", "kind", "columns": [{name, type, nullable, primary_key,
// ordinal}]}]}]
boost::json::value schema_to_json(const SchemaSnapshot& s);

// Lower-case hex SHA-256 of the canonical JSON of the tables: the ETag.
std::string schema_hash(const boost::json::value& schema_json);

}  // namespace dsb::drivers
