#include "tenancy/tenancy_settings.hpp"

namespace dsb::tenancy {
namespace json = boost::json;

namespace {
std::string text(const json::object& o, const char* key, std::string fallback = {}) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : fallback;
}
}  // namespace

std::optional<TenancySettings> tenancy_of(const json::object& config) {
  const json::value* block = config.if_contains("tenancy");
  if (block == nullptr || !block->is_object()) return std::nullopt;
  const auto& t = block->as_object();
  const std::string level = text(t, "level");
  if (level != "TABLE" && level != "DATABASE") return std::nullopt;
  TenancySettings s;
  if (level == "DATABASE") {
    s.level = TenancySettings::Level::database;
    s.database_pattern = text(t, "database_pattern", "{client}");
    s.client_allow_pattern = text(t, "client_allow_pattern");
    return s;
  }
  s.numeric_ids = text(t, "client_column_type", "NUMBER") == "NUMBER";
  s.schema_name = text(t, "schema_name");
  s.table_name = text(t, "table_name");
  s.client_name_column = text(t, "client_name_column");
  s.primary_key_column = text(t, "primary_key_column");
  s.client_column = text(t, "client_column", s.primary_key_column);
  return s;
}

}  // namespace dsb::tenancy
