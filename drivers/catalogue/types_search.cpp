// Document and search stores: mongodb, elasticsearch, opensearch. No
// tenancy{} (not SQL); mongodb takes tls{} and ssh{}, the search engines
// tls{} when self-managed. No driver in this build.
#include "drivers/catalogue/catalogue_internal.hpp"

namespace dsb::drivers::catalogue {
namespace {

// ---- mongodb: with srv the host is a DNS SRV name and carries no port ----

void check_mongodb(const json::object& body, const ValidationContext&, Problems& p) {
  if (bool_or(body, "options.srv", false)) refuse(body, "port", p, "options.srv is false");
}

std::optional<std::string> mongodb_default(const json::object& body, const FieldSpec& f) {
  if (f.path == "port" && bool_or(body, "options.srv", false)) return std::nullopt;
  if (f.default_value.empty()) return std::nullopt;
  return f.default_value;
}

TypeDef mongodb() {
  TypeEntry e;
  e.name = "mongodb";
  e.label = "MongoDB";
  e.aliases = {"mongo"};
  e.default_port = 27017;
  e.supports_tls = true;
  e.supports_ssh = true;
  e.fields = {host_field("Host name or IP address (the SRV name when options.srv is true)"),
              port_field(27017),
              database_field(true),
              username_field(true),
              password_field(true),
              login_field(),
              option("auth_source", "Database holding the user's credentials (authSource)"),
              option("replica_set", "Replica set name (replicaSet)"),
              bool_option("srv", "Use a mongodb+srv:// DNS seed list; no port then", false)};
  return {std::move(e), plain_rules(check_mongodb, mongodb_default)};
}

// ---- elasticsearch / opensearch: the server type decides every other field ----

constexpr std::string_view kSelfManaged = "self-managed";
constexpr std::string_view kOnlyCloud =
    "options.server_type is \"elastic-cloud\" or \"open-cloud\"";
constexpr std::string_view kOnlySelf = "options.server_type is \"self-managed\"";

void check_search(const json::object& body, const ValidationContext&, Problems& p) {
  const std::string_view type = string_or(body, "options.server_type", "");
  if (type != kSelfManaged && type != "elastic-cloud" && type != "open-cloud")
    return;  // required / allowed values reported already
  if (type != kSelfManaged) {
    require(body, "options.cloud_id", p, kOnlyCloud);
    require(body, "options.api_key", p, kOnlyCloud);
    for (std::string_view f :
         {"host", "port", "username", "password", "login_id", "options.disable_auth", "tls"})
      refuse(body, f, p, kOnlySelf);
    return;
  }
  refuse(body, "options.cloud_id", p, kOnlyCloud);
  refuse(body, "options.api_key", p, kOnlyCloud);
  require(body, "host", p, kOnlySelf);
  if (bool_or(body, "options.disable_auth", false)) {
    for (std::string_view f : {"username", "password", "login_id"})
      refuse(body, f, p, "options.disable_auth is false");
    return;
  }
  if (present(body, "login_id")) return;
  require(body, "username", p, "options.disable_auth is false");
  require(body, "password", p, "options.disable_auth is false");
}

std::optional<std::string> search_default(const json::object& body, const FieldSpec& f) {
  const bool self_managed = string_or(body, "options.server_type", "") == kSelfManaged;
  if ((f.path == "port" || f.path == "options.disable_auth") && !self_managed) return std::nullopt;
  if (f.default_value.empty()) return std::nullopt;
  return f.default_value;
}

TypeDef search_engine(std::string name, std::string label) {
  TypeEntry e;
  e.name = std::move(name);
  e.label = std::move(label);
  e.default_port = 9200;
  e.supports_tls = true;
  e.fields = {enum_option("server_type", {"elastic-cloud", "open-cloud", "self-managed"},
                          "Where the cluster runs; decides which other fields apply"),
              option("cloud_id", "Cloud deployment id (elastic-cloud, open-cloud)"),
              secret_option("api_key", "API key (elastic-cloud, open-cloud)"),
              host_field("Host name or IP address (self-managed)"),
              port_field(9200),
              username_field(false),
              password_field(false),
              login_field(),
              bool_option("disable_auth", "Connect without credentials (self-managed only)", false,
                          "disableAuth")};
  e.fields[0].required = true;
  e.fields[3].required = false;  // required for self-managed only
  e.fields[5].description = "User name (self-managed, unless options.disable_auth)";
  e.fields[6].description = "Password (self-managed, unless options.disable_auth)";
  return {std::move(e), plain_rules(check_search, search_default)};
}

}  // namespace

std::vector<TypeDef> search_types() {
  std::vector<TypeDef> t;
  t.push_back(mongodb());
  t.push_back(search_engine("elasticsearch", "Elasticsearch"));
  t.push_back(search_engine("opensearch", "OpenSearch"));
  return t;
}

}  // namespace dsb::drivers::catalogue
