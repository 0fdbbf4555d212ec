#include "drivers/clickhouse/ch_json.hpp"

#include <simdjson.h>

namespace dsb::drivers::clickhouse {

namespace od = simdjson::ondemand;

namespace {

std::string_view trim_right(std::string_view v) {
  while (!v.empty() &&
         (v.back() == ' ' || v.back() == '\n' || v.back() == '\t' || v.back() == '\r')) {
    v.remove_suffix(1);
  }
  return v;
}

simdjson::error_code read_value(od::value value, std::optional<std::string>& out) {
  od::json_type type;
  if (auto e = value.type().get(type)) return e;
  switch (type) {
    case od::json_type::null:
      out.reset();
      return simdjson::SUCCESS;
    case od::json_type::string: {
      std::string_view s;
      if (auto e = value.get_string().get(s)) return e;
      out.emplace(s);
      return simdjson::SUCCESS;
    }
    case od::json_type::array: {
      od::array a;
      if (auto e = value.get_array().get(a)) return e;
      std::string_view raw;
      if (auto e = a.raw_json().get(raw)) return e;
      out.emplace(trim_right(raw));
      return simdjson::SUCCESS;
    }
    case od::json_type::object: {
      od::object o;
      if (auto e = value.get_object().get(o)) return e;
      std::string_view raw;
      if (auto e = o.raw_json().get(raw)) return e;
      out.emplace(trim_right(raw));
      return simdjson::SUCCESS;
    }
    default:  // number, boolean: the token as the server wrote it
      out.emplace(trim_right(value.raw_json_token()));
      return simdjson::SUCCESS;
  }
}

simdjson::error_code read_meta(od::array meta, Rows& rows) {
  for (auto entry : meta) {
    od::object column;
    if (auto e = entry.get_object().get(column)) return e;
    std::string_view name;
    if (auto e = column["name"].get_string().get(name)) return e;
    rows.columns.emplace_back(name);
  }
  return simdjson::SUCCESS;
}

simdjson::error_code read_data(od::array data, Rows& rows) {
  for (auto entry : data) {
    od::array values;
    if (auto e = entry.get_array().get(values)) return e;
    Row row;
    row.reserve(rows.columns.size());
    for (auto v : values) {
      od::value value;
      if (auto e = v.get(value)) return e;
      std::optional<std::string> cell;
      if (auto e = read_value(value, cell)) return e;
      row.push_back(std::move(cell));
    }
    rows.rows.push_back(std::move(row));
  }
  return simdjson::SUCCESS;
}

simdjson::error_code read_document(od::document& doc, Rows& rows) {
  od::object top;
  if (auto e = doc.get_object().get(top)) return e;
  // Fields in the order ClickHouse writes them; unknown ones are skipped.
  for (auto field : top) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return e;
    if (key == "meta") {
      od::array meta;
      if (auto e = field.value().get_array().get(meta)) return e;
      if (auto e = read_meta(meta, rows)) return e;
    } else if (key == "data") {
      od::array data;
      if (auto e = field.value().get_array().get(data)) return e;
      if (auto e = read_data(data, rows)) return e;
    }
  }
  return simdjson::SUCCESS;
}

}  // namespace

std::optional<Rows> parse_json_compact(std::string_view body, std::string& error) {
  Rows rows;
  if (trim_right(body).empty()) return rows;
  od::parser parser;
  const simdjson::padded_string padded(body);
  od::document doc;
  auto e = parser.iterate(padded).get(doc);
  if (!e) e = read_document(doc, rows);
  if (e) {
    error = std::string("the answer is not JSONCompact: ") + simdjson::error_message(e);
    return std::nullopt;
  }
  return rows;
}

}  // namespace dsb::drivers::clickhouse
