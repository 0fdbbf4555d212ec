// Cloud warehouses reached over HTTPS with their vendor's own auth:
// snowflake, bigquery, databricks, firebolt, athena. They take tenancy{}
// but neither tls{} (always TLS) nor ssh{}. No driver in this build.
#include "drivers/catalogue/catalogue_internal.hpp"

#include <algorithm>
#include <cctype>

namespace dsb::drivers::catalogue {
namespace {

TypeEntry cloud_entry(std::string name, std::string label, std::uint16_t port = 443) {
  TypeEntry e;
  e.name = std::move(name);
  e.label = std::move(label);
  e.default_port = port;
  return e;
}

// ---- snowflake: the auth type decides which secret is required ----

constexpr std::string_view kPasswordAuth = "username/password";
constexpr std::string_view kKeyPairAuth = "Key-pair authentication";

void check_snowflake_account(const json::object& body, Problems& p) {
  const json::value* v = lookup(body, "options.account");
  if (v == nullptr || !v->is_string()) return;
  const std::string_view a = v->get_string();
  const bool ok = !a.empty() && std::all_of(a.begin(), a.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
  if (!ok)
    p.add("options.account",
          "must be an account identifier such as your-account.snowflakecomputing.com "
          "(no scheme or path)");
}

void check_snowflake(const json::object& body, const ValidationContext&, Problems& p) {
  check_snowflake_account(body, p);
  const std::string_view auth = string_or(body, "options.auth_type", kPasswordAuth);
  const bool login = present(body, "login_id");
  if (auth == kPasswordAuth) {
    if (!login) require(body, "password", p, "options.auth_type is \"username/password\"");
    refuse(body, "options.private_key", p, "options.auth_type is \"Key-pair authentication\"");
    refuse(body, "options.private_key_passphrase", p,
           "options.auth_type is \"Key-pair authentication\"");
  } else if (auth == kKeyPairAuth) {
    require(body, "options.private_key", p, "options.auth_type is \"Key-pair authentication\"");
    check_pem(body, "options.private_key", "PRIVATE KEY", p);
    refuse(body, "password", p, "options.auth_type is \"username/password\"");
    refuse(body, "login_id", p, "options.auth_type is \"username/password\"");
    if (present(body, "options.private_key_passphrase") && !present(body, "options.private_key"))
      p.add("options.private_key_passphrase", "is only valid with options.private_key");
  }
}

TypeDef snowflake() {
  TypeEntry e = cloud_entry("snowflake", "Snowflake");
  e.fields = {
      option("account", "Account identifier, e.g. your-account.snowflakecomputing.com", true),
      option("warehouse", "Virtual warehouse that runs the queries", true),
      database_field(true),
      schema_field("Default schema, e.g. PUBLIC"),
      username_field(true),
      password_field(false),
      login_field(),
      option("role", "Role to use (the user's default role when absent)"),
      enum_option("auth_type", {std::string(kPasswordAuth), std::string(kKeyPairAuth)},
                  "How to authenticate; decides whether password or "
                  "options.private_key is required",
                  std::string(kPasswordAuth)),
      secret_option("private_key", "PKCS#8 private key, PEM (Key-pair authentication)", false,
                    FieldKind::text),
      secret_option("private_key_passphrase", "Passphrase of an encrypted private key")};
  e.fields[5].description = "Password (username/password authentication; or use login_id)";
  return {std::move(e), sql_rules(check_snowflake)};
}

// ---- bigquery ----

void check_bigquery(const json::object& body, const ValidationContext&, Problems& p) {
  check_json_object(body, "options.service_account_json", p);
  const json::value* loc = lookup(body, "options.dataset_location");
  if (loc == nullptr || !loc->is_string()) return;
  const std::string_view s = loc->get_string();
  const bool ok = !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
  if (!ok) p.add("options.dataset_location", "must be a location such as US, EU or us-central1");
}

TypeDef bigquery() {
  TypeEntry e = cloud_entry("bigquery", "Google BigQuery");
  e.fields = {option("project_id", "Google Cloud project id", true),
              option("dataset_location",
                     "Location of the datasets: US, EU or a region such as "
                     "us-central1"),
              secret_option("service_account_json", "Service account key file (JSON text)", true,
                            FieldKind::text)};
  e.fields[1].default_value = "\"US\"";
  return {std::move(e), sql_rules(check_bigquery)};
}

// ---- databricks: a SQL warehouse's server hostname and HTTP path ----

void check_databricks(const json::object& body, const ValidationContext&, Problems& p) {
  const json::value* v = lookup(body, "options.http_path");
  if (v != nullptr && v->is_string() && !std::string_view(v->get_string()).starts_with("/"))
    p.add("options.http_path", "must start with / (e.g. /sql/1.0/warehouses/abc123)");
}

TypeDef databricks() {
  TypeEntry e = cloud_entry("databricks", "Databricks");
  e.fields = {host_field("Server hostname, e.g. adb-1234567890123456.7.azuredatabricks.net"),
              port_field(443),
              option("http_path", "HTTP path of the SQL warehouse or cluster", true),
              secret_option("access_token", "Personal access token", true),
              option("catalog", "Unity Catalog catalog (the workspace default when absent)"),
              schema_field("Default schema")};
  return {std::move(e), sql_rules(check_databricks)};
}

// ---- firebolt: service account credentials ----

TypeDef firebolt() {
  TypeEntry e = cloud_entry("firebolt", "Firebolt");
  e.fields = {option("client_id", "Service account id", true),
              secret_option("client_secret", "Service account secret", true),
              option("account_name", "Account name", true),
              option("engine_name", "Engine that runs the queries", true), database_field(true)};
  return {std::move(e), sql_rules()};
}

// ---- athena ----

void check_athena(const json::object& body, const ValidationContext&, Problems& p) {
  check_aws_region(body, "options.region", p);
  const json::value* v = lookup(body, "options.s3_output_location");
  if (v != nullptr && v->is_string() &&
      (!std::string_view(v->get_string()).starts_with("s3://") || v->get_string().size() <= 5))
    p.add("options.s3_output_location", "must be an s3:// URL, e.g. s3://bucket/athena-results/");
}

TypeDef athena() {
  TypeEntry e = cloud_entry("athena", "Amazon Athena");
  e.fields = {
      option("region", "AWS region, e.g. us-east-1", true),
      option("s3_output_location", "Where query results are written (s3://bucket/path/)", true),
      option("workgroup", "Athena workgroup"),
      option("catalog", "Data catalog"),
      database_field(false, "Default database (Glue database)"),
      option("access_key_id", "AWS access key id", true),
      secret_option("secret_access_key", "AWS secret access key", true)};
  e.fields[2].default_value = "\"primary\"";
  e.fields[3].default_value = "\"AwsDataCatalog\"";
  return {std::move(e), sql_rules(check_athena)};
}

}  // namespace

std::vector<TypeDef> warehouse_types() {
  std::vector<TypeDef> t;
  t.push_back(snowflake());
  t.push_back(bigquery());
  t.push_back(databricks());
  t.push_back(firebolt());
  t.push_back(athena());
  return t;
}

}  // namespace dsb::drivers::catalogue
