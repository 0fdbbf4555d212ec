// SQL databases reached over TCP: the postgres family (postgres, redshift,
// cockroachdb), the mysql family (mysql/mariadb, singlestore), clickhouse,
// mssql and trino. All take tls{}, ssh{} and tenancy{}.
#include "drivers/catalogue/catalogue_internal.hpp"

namespace dsb::drivers::catalogue {
namespace {

TypeEntry tcp_entry(std::string name, std::string label, std::string family, std::uint16_t port) {
  TypeEntry e;
  e.name = std::move(name);
  e.label = std::move(label);
  e.family = std::move(family);
  e.default_port = port;
  e.connectable = !e.family.empty();
  e.supports_tls = true;
  e.supports_ssh = true;
  return e;
}

// host, port, database, [schema], username, password, login_id.
std::vector<FieldSpec> credentials(std::uint16_t port, bool with_schema,
                                   std::string schema_help = "Default schema") {
  std::vector<FieldSpec> f{host_field(), port_field(port), database_field(true)};
  if (with_schema) f.push_back(schema_field(std::move(schema_help)));
  f.push_back(username_field(true));
  f.push_back(password_field(true));
  f.push_back(login_field());
  return f;
}

// Which schemas the schema cache reads (drivers::SchemaFilter, built by the server).
FieldSpec schemas_option() {
  return option("schemas",
                "Schemas to cache, comma-separated; \"!name\" excludes one, e.g. "
                "\"public,sales\" or \"!audit\" (all non-system schemas when absent)");
}

void check_postgres(const json::object& body, const ValidationContext&, Problems& p) {
  check_ssl_switch(body, p);
}

TypeDef postgres_like(std::string name, std::string label, std::uint16_t port,
                      std::vector<std::string> aliases = {}) {
  TypeEntry e = tcp_entry(std::move(name), std::move(label), "postgres", port);
  e.aliases = std::move(aliases);
  e.fields = credentials(port, true, "Default schema (search_path), e.g. public");
  e.fields.push_back(ssl_option());
  e.fields.push_back(schemas_option());
  return {std::move(e), sql_rules(check_postgres)};
}

TypeDef mysql_like(std::string name, std::string label, std::vector<std::string> aliases = {}) {
  TypeEntry e = tcp_entry(std::move(name), std::move(label), "mysql", 3306);
  e.aliases = std::move(aliases);
  e.fields = credentials(3306, false);
  e.fields.push_back(schemas_option());
  return {std::move(e), sql_rules()};
}

// ---- clickhouse: the HTTP interface; https moves the default port to 8443 ----

constexpr std::uint16_t kClickHouseHttpsPort = 8443;

bool clickhouse_tls_on(const json::object& body) {
  const std::string_view mode = string_or(body, "tls.mode", "disable");
  return mode != "disable";
}

// An absent protocol follows tls.mode, so the two never disagree by default.
std::string_view clickhouse_protocol(const json::object& body) {
  return string_or(body, "options.protocol", clickhouse_tls_on(body) ? "https" : "http");
}

void check_clickhouse(const json::object& body, const ValidationContext&, Problems& p) {
  if (!present(body, "options.protocol") || !present(body, "tls.mode")) return;
  if ((clickhouse_protocol(body) == "https") != clickhouse_tls_on(body))
    p.add("options.protocol", "conflicts with tls.mode");
}

std::optional<std::string> clickhouse_default(const json::object& body, const FieldSpec& f) {
  if (f.path == "options.protocol")
    return clickhouse_protocol(body) == "https" ? "\"https\"" : "\"http\"";
  if (f.path == "port")
    return std::to_string(clickhouse_protocol(body) == "https" ? kClickHouseHttpsPort : 8123);
  if (f.default_value.empty()) return std::nullopt;
  return f.default_value;
}

TypeDef clickhouse() {
  TypeEntry e = tcp_entry("clickhouse", "ClickHouse", "clickhouse", 8123);
  e.fields = {host_field(),
              port_field(8123),
              database_field(false, "Database (ClickHouse uses \"default\" when absent)"),
              username_field(true),
              password_field(true),
              login_field(),
              enum_option("protocol", {"http", "https"},
                          "HTTP interface scheme; follows tls.mode when absent; https "
                          "defaults the port to 8443",
                          "http")};
  return {std::move(e), sql_rules(check_clickhouse, clickhouse_default)};
}

// ---- mssql: Databrain calls host "server" and username "user" ----

TypeDef mssql() {
  TypeEntry e = tcp_entry("mssql", "Microsoft SQL Server", "", 1433);
  e.aliases = {"sqlserver"};
  e.fields = {host_field("Server host name or IP address", "server"),
              port_field(1433),
              database_field(true),
              schema_field("Default schema, e.g. dbo"),
              username_field(true, "user"),
              password_field(true),
              login_field()};
  return {std::move(e), sql_rules()};
}

// ---- trino: the password is optional (Trino only checks one over HTTPS) ----

TypeDef trino() {
  TypeEntry e = tcp_entry("trino", "Trino", "", 8080);
  e.fields = {host_field("Coordinator host name or IP address"),
              port_field(8080),
              option("catalog", "Catalog to browse, e.g. hive"),
              schema_field("Default schema within the catalog"),
              username_field(true),
              password_field(false),
              login_field(),
              ssl_option()};
  return {std::move(e), sql_rules(check_postgres)};
}

}  // namespace

std::vector<TypeDef> sql_types() {
  std::vector<TypeDef> t;
  t.push_back(postgres_like("postgres", "PostgreSQL", 5432, {"postgresql"}));
  t.push_back(postgres_like("redshift", "Amazon Redshift", 5439));
  t.push_back(postgres_like("cockroachdb", "CockroachDB", 26257));
  t.push_back(mysql_like("mysql", "MySQL", {"mariadb"}));
  t.push_back(mysql_like("singlestore", "SingleStore"));
  t.push_back(clickhouse());
  t.push_back(mssql());
  t.push_back(trino());
  return t;
}

}  // namespace dsb::drivers::catalogue
