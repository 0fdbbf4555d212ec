#include "tenancy/tenancy_check.hpp"

#include <algorithm>
#include <cctype>

namespace dsb::tenancy {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool numeric_type(const std::string& type) {
  const std::string t = lower(type);
  for (const char* k : {"int", "serial", "numeric", "decimal", "number"})
    if (t.find(k) != std::string::npos) return true;
  return false;
}

bool text_type(const std::string& type) {
  const std::string t = lower(type);
  for (const char* k : {"char", "text", "string", "uuid"})
    if (t.find(k) != std::string::npos) return true;
  return false;
}

const drivers::Column* column(const drivers::Table& t, const std::string& name) {
  for (const auto& c : t.columns)
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace

std::optional<std::string> check_mapping_table(const TenancySettings& s,
                                               const drivers::SchemaSnapshot& schema) {
  const auto it = std::find_if(schema.tables.begin(), schema.tables.end(), [&](const drivers::Table& t) {
    return t.schema == s.schema_name && t.name == s.table_name;
  });
  if (it == schema.tables.end())
    return "the mapping table " + s.schema_name + "." + s.table_name + " does not exist";
  const drivers::Column* id = column(*it, s.primary_key_column);
  if (id == nullptr) return "the mapping table has no column " + s.primary_key_column;
  if (column(*it, s.client_name_column) == nullptr)
    return "the mapping table has no column " + s.client_name_column;
  if (s.numeric_ids ? !numeric_type(id->type) : !text_type(id->type))
    return "column " + s.primary_key_column + " is " + id->type + ", which does not fit client_column_type " +
           (s.numeric_ids ? "NUMBER" : "STRING");
  return std::nullopt;
}

drivers::SchemaSnapshot tables_with_client_column(const TenancySettings& s,
                                                  const drivers::SchemaSnapshot& schema) {
  drivers::SchemaSnapshot out;
  out.fetched_at_ms = schema.fetched_at_ms;
  for (const auto& t : schema.tables) {
    if (t.schema == s.schema_name && t.name == s.table_name) continue;  // the mapping table itself
    if (column(t, s.client_column) != nullptr) out.tables.push_back(t);
  }
  return out;
}

}  // namespace dsb::tenancy
