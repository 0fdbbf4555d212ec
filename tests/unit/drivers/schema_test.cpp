// The schema's JSON text: what the cache stores and GET .../schema serves.
#include "drivers/schema.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace dsb::drivers {
namespace {

namespace json = boost::json;

Table table(std::string schema, std::string name, std::vector<Column> columns,
            std::string kind = "table") {
  return {std::move(schema), std::move(name), std::move(kind), std::move(columns)};
}

TEST(SchemaJson, GroupsTablesBySchemaInOrder) {
  SchemaSnapshot s;
  s.tables.push_back(table("public", "orders",
                           {{"id", "bigint", false, true, 1}, {"note", "text", true, false, 2}}));
  s.tables.push_back(table("public", "v_orders", {{"id", "bigint", true, false, 1}}, "view"));
  s.tables.push_back(table("sales \"eu\"", "t\\1", {{"line\nbreak", "text", true, false, 1}}));
  const json::value expected = json::parse(R"([
    {"name": "public", "tables": [
      {"name": "orders", "kind": "table", "columns": [
        {"name": "id", "type": "bigint", "nullable": false, "primary_key": true, "ordinal": 1},
        {"name": "note", "type": "text", "nullable": true, "primary_key": false, "ordinal": 2}]},
      {"name": "v_orders", "kind": "view", "columns": [
        {"name": "id", "type": "bigint", "nullable": true, "primary_key": false, "ordinal": 1}]}]},
    {"name": "sales \"eu\"", "tables": [{"name": "t\\1", "kind": "table", "columns": [
        {"name": "line\nbreak", "type": "text", "nullable": true, "primary_key": false,
         "ordinal": 1}]}]}])");
  EXPECT_EQ(json::parse(schema_json_text(s)), expected);
}

TEST(SchemaJson, AnEmptySchemaIsAnEmptyArray) {
  EXPECT_EQ(schema_json_text(SchemaSnapshot{}), "[]");
}

TEST(SchemaJson, TheHashFollowsTheContent) {
  SchemaSnapshot s;
  s.tables.push_back(table("public", "a", {{"id", "int", false, true, 1}}));
  const std::string before = schema_hash(schema_json_text(s));
  EXPECT_EQ(before.size(), 64u);
  EXPECT_EQ(before, schema_hash(schema_json_text(s)));
  s.tables[0].columns[0].type = "bigint";
  EXPECT_NE(before, schema_hash(schema_json_text(s)));
}

}  // namespace
}  // namespace dsb::drivers
