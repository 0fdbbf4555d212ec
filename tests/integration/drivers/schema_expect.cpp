#include "tests/integration/drivers/schema_expect.hpp"

namespace dsb::test {

std::string describe(const std::vector<drivers::Table>& tables) {
  std::string out;
  for (const auto& table : tables) {
    out += table.schema + "." + table.name + " " + table.kind + "\n";
    for (const auto& column : table.columns) {
      out += "  " + std::to_string(column.ordinal) + " " + column.name + " " + column.type;
      if (!column.nullable) out += " not null";
      if (column.primary_key) out += " pk";
      out += "\n";
    }
  }
  return out;
}

std::vector<std::string> table_names(const drivers::SchemaSnapshot& snapshot) {
  std::vector<std::string> out;
  for (const auto& table : snapshot.tables) out.push_back(table.schema + "." + table.name);
  return out;
}

}  // namespace dsb::test
