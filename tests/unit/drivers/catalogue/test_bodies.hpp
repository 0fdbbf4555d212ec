// Minimal valid bodies of every catalogue type, and helpers to validate one.
#pragma once

#include "drivers/catalogue/catalogue.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include <map>
#include <string>
#include <vector>

namespace dsb::drivers::test {

inline const std::map<std::string, std::string>& minimal_bodies() {
  static const std::map<std::string, std::string> bodies = {
      {"postgres",
       R"({"host":"db.example.com","database":"analytics","username":"u","password":"p"})"},
      {"redshift", R"({"host":"rs.example.com","database":"dev","username":"u","password":"p"})"},
      {"cockroachdb", R"({"host":"crdb","database":"defaultdb","username":"root","password":""})"},
      {"mysql", R"({"host":"db","database":"shop","username":"u","password":"p"})"},
      {"singlestore", R"({"host":"db","database":"shop","username":"u","password":"p"})"},
      {"clickhouse", R"({"host":"ch","username":"default","password":""})"},
      {"mssql", R"({"host":"sql","database":"master","username":"sa","password":"p"})"},
      {"mongodb", R"({"host":"mongo","database":"app","username":"u","password":"p"})"},
      {"snowflake",
       R"({"options":{"account":"acme.snowflakecomputing.com","warehouse":"WH"},"database":"DB","username":"u","password":"p"})"},
      {"bigquery",
       R"({"options":{"project_id":"my-proj","service_account_json":"{\"type\":\"service_account\"}"}})"},
      {"databricks",
       R"({"host":"adb-1.azuredatabricks.net","options":{"http_path":"/sql/1.0/warehouses/abc","access_token":"dapi1"}})"},
      {"elasticsearch",
       R"({"options":{"server_type":"elastic-cloud","cloud_id":"dep:abc","api_key":"k"}})"},
      {"opensearch",
       R"({"options":{"server_type":"self-managed"},"host":"os","username":"u","password":"p"})"},
      {"awss3",
       R"({"options":{"region":"us-east-1","bucket":"my-bucket","access_key_id":"AKIA","secret_access_key":"s"}})"},
      {"csv", R"({"options":{"path":"data/sales.csv"}})"},
      {"firebolt",
       R"({"options":{"client_id":"c","client_secret":"s","account_name":"a","engine_name":"e"},"database":"d"})"},
      {"athena",
       R"({"options":{"region":"eu-west-1","s3_output_location":"s3://b/out/","access_key_id":"A","secret_access_key":"S"}})"},
      {"trino", R"({"host":"trino","username":"u"})"},
      {"sqlite", R"({"options":{"path":"db/app.sqlite"}})"},
  };
  return bodies;
}

inline boost::json::object parse_body(const std::string& text) {
  return boost::json::parse(text).as_object();
}

inline boost::json::object minimal(const std::string& type) {
  return parse_body(minimal_bodies().at(type));
}

inline ValidationContext test_ctx() {
  return ValidationContext{"/srv/dsbroker/files"};
}

inline std::vector<FieldProblem> validate(const std::string& type, const boost::json::object& body,
                                          const ValidationContext& ctx = test_ctx()) {
  const TypeEntry* e = find_type(type);
  EXPECT_NE(e, nullptr) << type;
  std::vector<FieldProblem> problems;
  if (e != nullptr) validate_datasource(*e, body, ctx, problems);
  return problems;
}

// The problem reported for `field`, or "" when there is none.
inline std::string problem_of(const std::vector<FieldProblem>& problems, const std::string& field) {
  for (const FieldProblem& p : problems)
    if (p.field == field) return p.problem;
  return {};
}

inline std::string describe(const std::vector<FieldProblem>& problems) {
  std::string s;
  for (const FieldProblem& p : problems) s += p.field + ": " + p.problem + "; ";
  return s;
}

// Sets a value at a dotted path (one level of nesting), creating the block.
inline void set_path(boost::json::object& body, const std::string& path, boost::json::value v) {
  const auto dot = path.find('.');
  if (dot == std::string::npos) {
    body[path] = std::move(v);
    return;
  }
  boost::json::value& outer = body[path.substr(0, dot)];
  if (!outer.is_object()) outer.emplace_object();
  outer.get_object()[path.substr(dot + 1)] = std::move(v);
}

inline void erase_path(boost::json::object& body, const std::string& path) {
  const auto dot = path.find('.');
  if (dot == std::string::npos) {
    body.erase(path);
    return;
  }
  if (auto* outer = body.if_contains(path.substr(0, dot)); outer && outer->is_object())
    outer->get_object().erase(path.substr(dot + 1));
}

}  // namespace dsb::drivers::test
