#include "drivers/schema.hpp"

#include <algorithm>

namespace dsb::drivers {

bool SchemaFilter::admits(const std::string& schema) const {
  if (std::find(exclude.begin(), exclude.end(), schema) != exclude.end()) return false;
  return include.empty() || std::find(include.begin(), include.end(), schema) != include.end();
}

}  // namespace dsb::drivers

#include "core/ids.hpp"

#include <boost/json/serialize.hpp>

namespace dsb::drivers {
namespace json = boost::json;

json::value schema_to_json(const SchemaSnapshot& s) {
  json::array schemas;
  json::object* current = nullptr;
  std::string current_name;
  for (const auto& t : s.tables) {
    if (current == nullptr || t.schema != current_name) {
      schemas.push_back(json::object{{"name", t.schema}, {"tables", json::array{}}});
      current = &schemas.back().as_object();
      current_name = t.schema;
    }
    json::array columns;
    for (const auto& c : t.columns)
      columns.push_back({{"name", c.name},
                         {"type", c.type},
                         {"nullable", c.nullable},
                         {"primary_key", c.primary_key},
                         {"ordinal", c.ordinal}});
    (*current)["tables"].as_array().push_back(
        json::object{{"name", t.name}, {"kind", t.kind}, {"columns", std::move(columns)}});
  }
  return schemas;
}

std::string schema_hash(const json::value& schema_json) {
  return sha256_hex(json::serialize(schema_json));
}

}  // namespace dsb::drivers
