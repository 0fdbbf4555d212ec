// Validating a create body (validate_datasource + apply_defaults) for the
// five most common types. Each iteration validates an already parsed body,
// as the API layer does after decoding the request.
#include "drivers/catalogue/catalogue.hpp"

#include <benchmark/benchmark.h>
#include <boost/json/parse.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace {

using dsb::drivers::find_type;
using dsb::drivers::TypeEntry;

const char* create_body(const std::string& type) {
  if (type == "postgres")
    return R"({"host":"db.example.com","port":5432,"database":"analytics","schema":"public",
      "username":"dbuser","password":"securepassword","options":{"ssl":"enable"},
      "tls":{"mode":"verify-full","ca":"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"},
      "tenancy":{"level":"TABLE","client_column_type":"STRING","schema_name":"public",
        "table_name":"clients","client_name_column":"name","primary_key_column":"id"}})";
  if (type == "mysql")
    return R"({"host":"db.example.com","port":3306,"database":"shop","username":"u",
      "password":"p","ssh":{"enabled":true,"host":"bastion.example.com","username":"jump",
      "private_key":"-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----\n",
      "host_key_fingerprint":"SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"}})";
  if (type == "snowflake")
    return R"({"options":{"account":"acme.snowflakecomputing.com","warehouse":"COMPUTE_WH",
      "role":"ANALYST","auth_type":"username/password"},"database":"ANALYTICS",
      "schema":"PUBLIC","username":"svc","password":"p"})";
  if (type == "bigquery")
    return R"({"options":{"project_id":"my-project","dataset_location":"EU",
      "service_account_json":"{\"type\":\"service_account\",\"project_id\":\"my-project\",\"private_key_id\":\"abc\",\"client_email\":\"svc@my-project.iam.gserviceaccount.com\"}"}})";
  if (type == "clickhouse")
    return R"({"host":"ch.example.com","database":"default","username":"default",
      "password":"","options":{"protocol":"https"},"tls":{"mode":"verify-full"}})";
  throw std::invalid_argument(type);
}

void BM_ValidateCreate(benchmark::State& state, std::string type) {
  const TypeEntry* entry = find_type(type);
  const boost::json::object body = boost::json::parse(create_body(type)).as_object();
  const dsb::drivers::ValidationContext ctx{"/srv/files"};
  std::vector<dsb::FieldProblem> problems;
  dsb::drivers::validate_datasource(*entry, body, ctx, problems);
  if (!problems.empty()) {
    state.SkipWithError((problems[0].field + ": " + problems[0].problem).c_str());
    return;
  }
  for (auto _ : state) {
    problems.clear();
    boost::json::object copy = body;
    dsb::drivers::validate_datasource(*entry, copy, ctx, problems);
    dsb::drivers::apply_defaults(*entry, copy);
    benchmark::DoNotOptimize(copy);
    benchmark::DoNotOptimize(problems.data());
  }
}

BENCHMARK_CAPTURE(BM_ValidateCreate, postgres, std::string("postgres"));
BENCHMARK_CAPTURE(BM_ValidateCreate, mysql, std::string("mysql"));
BENCHMARK_CAPTURE(BM_ValidateCreate, snowflake, std::string("snowflake"));
BENCHMARK_CAPTURE(BM_ValidateCreate, bigquery, std::string("bigquery"));
BENCHMARK_CAPTURE(BM_ValidateCreate, clickhouse, std::string("clickhouse"));

// The body copy alone, to read the figures above net of it.
void BM_CopyBodyOnly(benchmark::State& state) {
  const boost::json::object body = boost::json::parse(create_body("postgres")).as_object();
  for (auto _ : state) {
    boost::json::object copy = body;
    benchmark::DoNotOptimize(copy);
  }
}
BENCHMARK(BM_CopyBodyOnly);

}  // namespace

BENCHMARK_MAIN();
