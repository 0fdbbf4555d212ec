#include "drivers/schema.hpp"

#include "core/ids.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>

#include <algorithm>

namespace dsb::drivers {
namespace json = boost::json;

bool SchemaFilter::admits(const std::string& schema) const {
  if (std::find(exclude.begin(), exclude.end(), schema) != exclude.end()) return false;
  return include.empty() || std::find(include.begin(), include.end(), schema) != include.end();
}

namespace {

// A JSON string literal. Identifiers almost never need escaping: those are
// copied as they are, the rest escaped by Boost.JSON.
void append_string(std::string& out, std::string_view text) {
  const bool plain = std::none_of(text.begin(), text.end(), [](char c) {
    return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
  });
  if (!plain) {
    out += json::serialize(json::string_view(text.data(), text.size()));
    return;
  }
  out += '"';
  out += text;
  out += '"';
}

// {"name", "kind", "columns": [{name, type, nullable, primary_key, ordinal}]}
// written straight into `out`: 100,000 columns as DOM objects cost more than
// the text itself.
void append_table(std::string& out, const Table& t) {
  out += "{\"name\":";
  append_string(out, t.name);
  out += ",\"kind\":";
  append_string(out, t.kind);
  out += ",\"columns\":[";
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    const Column& c = t.columns[i];
    out += i == 0 ? "{\"name\":" : ",{\"name\":";
    append_string(out, c.name);
    out += ",\"type\":";
    append_string(out, c.type);
    out += c.nullable ? ",\"nullable\":true" : ",\"nullable\":false";
    out += c.primary_key ? ",\"primary_key\":true" : ",\"primary_key\":false";
    out += ",\"ordinal\":";
    out += std::to_string(c.ordinal);
    out += '}';
  }
  out += "]}";
}

}  // namespace

std::string schema_json_text(const SchemaSnapshot& s) {
  std::string out = "[";
  const std::string* open_schema = nullptr;  // the schema whose "tables" array is open
  for (const auto& t : s.tables) {
    if (open_schema == nullptr || t.schema != *open_schema) {
      if (open_schema != nullptr) out += "]},";
      out += "{\"name\":";
      append_string(out, t.schema);
      out += ",\"tables\":[";
      open_schema = &t.schema;
    } else {
      out += ',';
    }
    append_table(out, t);
  }
  if (open_schema != nullptr) out += "]}";
  out += ']';
  return out;
}

std::string schema_hash(std::string_view json_text) {
  return sha256_hex(json_text);
}

}  // namespace dsb::drivers
