#include "server/api/compat/databrain_mapping.hpp"

#include "core/json_path.hpp"
#include "server/api/compat/loose_values.hpp"

#include <array>
#include <utility>

namespace dsb::server::api::compat {
namespace json = boost::json;
using http::status;

namespace {

// tenancySettings key -> native path; Databrain's names first, then the
// catalogue's vendor names for the optional fields.
constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kTenancy = {{
    {"tenancyLevel", "tenancy.level"},
    {"clientColumnType", "tenancy.client_column_type"},
    {"schemaName", "tenancy.schema_name"},
    {"tableName", "tenancy.table_name"},
    {"tableClientNameColumn", "tenancy.client_name_column"},
    {"tablePrimaryKeyColumn", "tenancy.primary_key_column"},
    {"clientNameColumn", "tenancy.client_name_column"},
    {"primaryKeyColumn", "tenancy.primary_key_column"},
    {"clientColumn", "tenancy.client_column"},
    {"databasePattern", "tenancy.database_pattern"},
    {"clientAllowPattern", "tenancy.client_allow_pattern"},
}};

const drivers::FieldSpec* by_vendor_name(const drivers::TypeEntry& e, std::string_view key) {
  for (const auto& f : e.fields)
    if (!f.vendor_name.empty() && f.vendor_name == key) return &f;
  return nullptr;
}

void map_credential(const drivers::FieldSpec& f, const json::object& creds, std::string_view key,
                    json::object& out, std::vector<FieldProblem>& problems) {
  std::vector<FieldProblem> local;
  json::value v = creds.at(key);
  if (f.kind == drivers::FieldKind::integer && v.is_string()) {
    auto n = loose_int(creds, key, local, f.path == "port");
    v = n ? json::value(*n) : json::value(nullptr);
  } else if (f.kind == drivers::FieldKind::boolean && v.is_string()) {
    auto b = loose_bool(creds, key, local);
    v = b ? json::value(*b) : json::value(nullptr);
  }
  for (auto& p : local) problems.push_back({"credentials." + p.field, p.problem});
  if (local.empty() && !v.is_null()) set_path(out, f.path, std::move(v));
}

void map_tenancy(const json::value& settings, json::object& out,
                 std::vector<FieldProblem>& problems) {
  if (settings.is_null()) return;
  if (!settings.is_object()) return problems.push_back({"tenancySettings", "must be an object"});
  for (const auto& kv : settings.get_object()) {
    std::string_view path;
    for (const auto& [name, native] : kTenancy)
      if (name == kv.key()) path = native;
    if (path.empty()) {
      problems.push_back({"tenancySettings." + std::string(kv.key()), "unknown field"});
      continue;
    }
    if (!kv.value().is_null()) set_path(out, path, kv.value());
  }
}

std::string_view databrain_code(const Failure& f, int& http_status) {
  if (f.code == "AUTHENTICATION_ERROR") return http_status = 401, "AUTHENTICATION_ERROR";
  if (f.code == "DATASOURCE_NAME_ERROR") return http_status = 400, "DATASOURCE_NAME_ERROR";
  // A test that could not run (no driver for the type, cancelled) did not pass.
  if (f.code == "CREDENTIAL_TEST_FAILED" || f.code == "DRIVER_UNAVAILABLE" ||
      f.code == "JOB_CANCELLED")
    return http_status = 400, "CREDENTIAL_TEST_FAILED";
  if (f.code == "SCHEMA_CACHE_FAILED") return http_status = 500, "SCHEMA_CACHE_FAILED";
  if (f.code == "CREATE_DATASOURCE_FAILED") return http_status = 500, "CREATE_DATASOURCE_FAILED";
  if (f.status == 404) return http_status = 404, "DATASOURCE_NOT_FOUND";
  // Rate limits are dsbroker's own; Databrain's table has no row for them.
  if (f.status == 429) return http_status = 429, f.code;
  if (f.status >= 400 && f.status < 500) return http_status = 400, "INVALID_REQUEST_BODY";
  return http_status = 500, "INTERNAL_SERVER_ERROR";
}

}  // namespace

std::string databrain_field(const drivers::TypeEntry* type, std::string_view native_path) {
  if (native_path == "type") return "datasourceType";
  if (native_path == "name") return "credentials.name";
  for (const auto& [name, native] : kTenancy)
    if (native == native_path) return "tenancySettings." + std::string(name);
  if (type != nullptr)
    for (const auto& f : type->fields)
      if (f.path == native_path && !f.vendor_name.empty()) return "credentials." + f.vendor_name;
  return std::string(native_path);
}

Result<json::object> databrain_to_native(const json::object& body) {
  std::vector<FieldProblem> problems;
  for (const auto& kv : body)
    if (kv.key() != "datasourceType" && kv.key() != "credentials" && kv.key() != "tenancySettings")
      problems.push_back({std::string(kv.key()), "unknown field"});
  const json::value* type = body.if_contains("datasourceType");
  const drivers::TypeEntry* entry = nullptr;
  if (type == nullptr || type->is_null())
    problems.push_back({"datasourceType", "is required"});
  else if (!type->is_string())
    problems.push_back({"datasourceType", "must be a string"});
  else if (!(entry = drivers::find_type(type->get_string())))
    problems.push_back({"datasourceType", "is not a supported datasource type"});
  const json::value* creds = body.if_contains("credentials");
  if (creds == nullptr || creds->is_null())
    problems.push_back({"credentials", "is required"});
  else if (!creds->is_object())
    problems.push_back({"credentials", "must be an object"});
  if (!problems.empty()) return invalid_body(std::move(problems));

  const json::object& c = creds->get_object();
  json::object out{{"type", entry->name}};
  if (const json::value* name = c.if_contains("name"))
    out["name"] = *name;
  else
    problems.push_back({"credentials.name", "is required"});
  for (const auto& kv : c) {
    if (kv.key() == "name") continue;
    const drivers::FieldSpec* f = by_vendor_name(*entry, kv.key());
    if (f == nullptr) {
      problems.push_back({"credentials." + std::string(kv.key()),
                          "is not a credential of datasourceType " + entry->name});
      continue;
    }
    map_credential(*f, c, kv.key(), out, problems);
  }
  if (const json::value* t = body.if_contains("tenancySettings")) map_tenancy(*t, out, problems);
  if (!problems.empty()) return invalid_body(std::move(problems));
  return out;
}

Response databrain_error_for(const RequestContext& ctx, const Failure& f,
                             const drivers::TypeEntry* type) {
  int http_status = 500;
  const std::string code(databrain_code(f, http_status));
  const std::string message =
      with_details(f, [type](std::string_view p) { return databrain_field(type, p); });
  return json_response(ctx, static_cast<status>(http_status),
                       json::object{{"error", json::object{{"code", code}, {"message", message}}}});
}

Response databrain_error(const RequestContext& ctx, const Failure& f) {
  return databrain_error_for(ctx, f, nullptr);
}

}  // namespace dsb::server::api::compat
