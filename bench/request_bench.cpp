// The CPU work of a create request before the store: parse the body
// (simdjson -> Boost.JSON) and then the steps of DatasourceService::apply_body
// (name and type checks, catalogue validation, secrets split out, defaults),
// with and without sealing the secrets. Two bodies: the one dsb_loadgen sends
// and a fuller one with TLS and tenancy blocks.
#include "core/json_path.hpp"
#include "drivers/catalogue/catalogue.hpp"
#include "server/json_body.hpp"
#include "store/vault.hpp"

#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

namespace {

namespace json = boost::json;

constexpr const char* kSmallBody =
    R"({"name":"bench-1","type":"postgres","host":"db.example.com","port":5432,"database":"d","username":"u","password":"p"})";

constexpr const char* kFullBody = R"({"name":"Analytics warehouse","type":"postgres",
  "host":"db.example.com","port":5432,"database":"analytics","schema":"public",
  "username":"dbuser","password":"securepassword","options":{"ssl":"enable"},
  "tls":{"mode":"verify-full","ca":"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"},
  "tenancy":{"level":"TABLE","client_column_type":"STRING","schema_name":"public",
    "table_name":"clients","client_name_column":"name","primary_key_column":"id"}})";

const dsb::store::Vault& vault() {
  static const dsb::store::Vault v({dsb::store::generate_master_key()});
  return v;
}

// apply_body's steps on a parsed body; false when the body is invalid.
bool apply_body(json::object body, bool seal, std::vector<dsb::FieldProblem>& problems,
                std::map<std::string, std::string>& secrets) {
  const json::value* name = body.if_contains("name");
  const json::value* type = body.if_contains("type");
  if (name == nullptr || !name->is_string() || type == nullptr || !type->is_string()) return false;
  const auto* entry = dsb::drivers::find_type(type->as_string());
  if (entry == nullptr) return false;
  body.erase("name");
  body.erase("type");
  dsb::drivers::validate_datasource(*entry, body, {"/srv/files"}, problems);
  if (!problems.empty()) return false;
  for (const auto& path : dsb::drivers::secret_paths(*entry)) {
    const json::value* v = dsb::find_path(body, path);
    if (seal && v != nullptr && v->is_string()) {
      auto sealed = vault().seal(v->as_string(), dsb::store::secret_aad("org", "id", path));
      if (!sealed) return false;
      secrets[path] = std::move(*sealed);
    }
    dsb::erase_path(body, path);
  }
  dsb::drivers::apply_defaults(*entry, body);
  benchmark::DoNotOptimize(body);
  return true;
}

void BM_ParseCreateBody(benchmark::State& state, const char* body) {
  const std::string text = body;
  for (auto _ : state) {
    auto body = dsb::server::parse_json_object(text);
    if (!body) {
      state.SkipWithError(body.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(body);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK_CAPTURE(BM_ParseCreateBody, small, kSmallBody);
BENCHMARK_CAPTURE(BM_ParseCreateBody, full, kFullBody);

void parse_and_apply(benchmark::State& state, const char* body, bool seal) {
  const std::string text = body;
  std::vector<dsb::FieldProblem> problems;
  std::map<std::string, std::string> secrets;
  for (auto _ : state) {
    problems.clear();
    secrets.clear();
    auto body = dsb::server::parse_json_object(text);
    if (!body || !apply_body(std::move(*body), seal, problems, secrets)) {
      state.SkipWithError(problems.empty() ? "invalid body" : problems[0].field.c_str());
      break;
    }
  }
}

// Parse + validate: what a create costs before sealing and the store.
void BM_ParseValidateCreateBody(benchmark::State& state, const char* body) {
  parse_and_apply(state, body, false);
}
BENCHMARK_CAPTURE(BM_ParseValidateCreateBody, small, kSmallBody);
BENCHMARK_CAPTURE(BM_ParseValidateCreateBody, full, kFullBody);

// As above, and the secrets sealed with AES-256-GCM: all of apply_body.
void BM_ParseValidateSealCreateBody(benchmark::State& state, const char* body) {
  parse_and_apply(state, body, true);
}
BENCHMARK_CAPTURE(BM_ParseValidateSealCreateBody, small, kSmallBody);
BENCHMARK_CAPTURE(BM_ParseValidateSealCreateBody, full, kFullBody);

}  // namespace

BENCHMARK_MAIN();
