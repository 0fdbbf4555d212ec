#include "server/api/compat/mstr_connection_mapping.hpp"

#include "core/json_path.hpp"
#include "drivers/catalogue/catalogue.hpp"
#include "server/api/compat/loose_values.hpp"
#include "server/api/compat/mstr_common.hpp"
#include "server/codecs/odbc_connection_string.hpp"

#include <algorithm>
#include <cctype>

namespace dsb::server::api::compat {
namespace json = boost::json;
using codecs::odbc_value;
using codecs::OdbcAttribute;

namespace {

enum class Kind { text, integer, boolean };
struct Setting {
  std::string_view name;
  Kind kind;
  std::string_view fallback;  // JSON text of the default
};
// In the order MicroStrategy shows them.
constexpr Setting kSettings[] = {
    {"description", Kind::text, R"("")"},
    {"executionMode", Kind::text, R"("synchronous")"},
    {"maxCancelAttemptTime", Kind::integer, "0"},
    {"maxQueryExeTime", Kind::integer, "0"},
    {"maxConnectionAttemptTime", Kind::integer, "0"},
    {"connectionLifetime", Kind::integer, "0"},
    {"connectionIdleTimeout", Kind::integer, "0"},
    {"charEncodingWindows", Kind::text, R"("multibyte")"},
    {"charEncodingUnix", Kind::text, R"("utf8")"},
    {"tablePrefix", Kind::text, R"("")"},
    {"connectionString", Kind::text, R"("")"},
    {"parameterizedQueries", Kind::boolean, "false"},
    {"extendedFetch", Kind::boolean, "false"},
    {"driverType", Kind::text, R"("odbc")"},
    {"oauthParameter", Kind::text, R"("")"},
};

const std::initializer_list<std::string_view> kServerKeys = {
    "SERVER", "HOST", "HOSTNAME", "SERVERNAME", "DATA SOURCE", "ADDRESS", "ADDR"};
const std::initializer_list<std::string_view> kDatabaseKeys = {"DATABASE", "DB", "DBNAME",
                                                               "INITIAL CATALOG"};
const std::initializer_list<std::string_view> kCredentialKeys = {"UID", "PWD", "USER", "PASSWORD",
                                                                 "USERNAME"};

json::value default_of(const Setting& s) {
  if (s.kind == Kind::integer) return json::value(std::int64_t{0});
  if (s.kind == Kind::boolean) return json::value(false);
  return json::value(json::string(s.fallback.substr(1, s.fallback.size() - 2)));
}

bool has_field(const drivers::TypeEntry& e, std::string_view path) {
  return std::any_of(e.fields.begin(), e.fields.end(),
                     [&](const drivers::FieldSpec& f) { return f.path == path; });
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), ::tolower);
  return out;
}

// The connect target an ODBC string names, as native fields of `e`.
void apply_attributes(const drivers::TypeEntry& e, const std::vector<OdbcAttribute>& attrs,
                      json::object& native, std::vector<FieldProblem>& problems) {
  for (const auto& a : attrs)
    if (std::find(kCredentialKeys.begin(), kCredentialKeys.end(), a.key) != kCredentialKeys.end())
      problems.push_back(
          {"connectionString", a.key + " is not accepted: credentials come from database.login"});
  std::optional<std::string> port = odbc_value(attrs, {"PORT"});
  if (auto server = odbc_value(attrs, kServerKeys)) {
    std::string host = *server;
    if (host.rfind("tcp:", 0) == 0) host = host.substr(4);
    if (const auto comma = host.find(','); comma != std::string::npos) {  // SQL Server: host,port
      if (!port) port = host.substr(comma + 1);
      host.resize(comma);
    }
    if (has_field(e, "host"))
      native["host"] = host;
    else if (has_field(e, "options.account"))
      set_path(native, "options.account", json::value(host));
  }
  if (port) {
    json::object holder{{"PORT", *port}};
    if (auto n = loose_int(holder, "PORT", problems, true)) native["port"] = *n;
  }
  if (auto db = odbc_value(attrs, kDatabaseKeys); db && has_field(e, "database"))
    native["database"] = *db;
  if (auto schema = odbc_value(attrs, {"SCHEMA"}); schema && has_field(e, "schema"))
    native["schema"] = *schema;
  if (auto mode = odbc_value(attrs, {"SSLMODE"}); mode && e.supports_tls) {
    const std::string m = lower(*mode);
    if (m == "disable" || m == "require" || m == "verify-ca" || m == "verify-full")
      native["tls"] = json::object{{"mode", m}};
    else
      problems.push_back(
          {"connectionString", "SSLMODE must be disable, require, verify-ca or verify-full"});
  }
  for (const auto& a : attrs) {
    const std::string path = "options." + lower(a.key);
    if (path != "options.account" && has_field(e, path))
      set_path(native, path, json::value(a.value));
  }
}

void read_settings(const json::object& body, json::object& settings,
                   std::vector<FieldProblem>& problems) {
  for (const Setting& s : kSettings) {
    const json::value* v = body.if_contains(s.name);
    if (v == nullptr || v->is_null()) {
      settings[s.name] = default_of(s);
      continue;
    }
    const bool ok = s.kind == Kind::text      ? v->is_string()
                    : s.kind == Kind::integer ? v->is_int64() || v->is_uint64()
                                              : v->is_bool();
    if (!ok)
      problems.push_back({std::string(s.name), s.kind == Kind::text ? "must be a string"
                                               : s.kind == Kind::integer
                                                   ? "must be an integer"
                                                   : "must be true or false"});
    else
      settings[s.name] = *v;
  }
}

bool is_dsn_only(const std::vector<OdbcAttribute>& attrs) {
  return odbc_value(attrs, {"DSN"}).has_value() && !odbc_value(attrs, kServerKeys).has_value();
}

std::string synthesized_string(const store::DatasourceRecord& r) {
  std::string out;
  auto add = [&](const char* key, const json::value* v) {
    if (v == nullptr) return;
    const std::string text = v->is_string()  ? std::string(v->get_string())
                             : v->is_int64() ? std::to_string(v->get_int64())
                                             : std::string();
    if (text.empty()) return;
    out += (out.empty() ? "" : ";") + std::string(key) + "=" +
           (text.find_first_of(";{}") == std::string::npos ? text : "{" + text + "}");
  };
  add("SERVER", find_path(r.config, "host") ? find_path(r.config, "host")
                                            : find_path(r.config, "options.account"));
  add("PORT", find_path(r.config, "port"));
  add("DATABASE", find_path(r.config, "database"));
  return out;
}

// The stored string while it still names where the datasource points.
std::string connection_string_for(const json::object& settings, const store::DatasourceRecord& r) {
  const std::string stored = str_at(settings, "connectionString");
  const auto* entry = drivers::find_type(r.type);
  auto attrs = codecs::parse_odbc_connection_string(stored, "connectionString");
  if (entry == nullptr || !attrs || is_dsn_only(*attrs)) return synthesized_string(r);
  json::object target;
  std::vector<FieldProblem> ignored;
  apply_attributes(*entry, *attrs, target, ignored);
  for (const char* path : {"host", "database", "options.account"}) {
    const json::value* want = find_path(target, path);
    const json::value* have = find_path(r.config, path);
    if ((want == nullptr) != (have == nullptr) || (want && *want != *have))
      return synthesized_string(r);
  }
  const json::value* want_port = target.if_contains("port");
  const json::value* have_port = r.config.if_contains("port");
  const json::value default_port(static_cast<std::int64_t>(entry->default_port));
  if (have_port != nullptr && *have_port != (want_port ? *want_port : default_port))
    return synthesized_string(r);
  return stored;
}

}  // namespace

std::string mstr_connection_field(std::string_view native_path) {
  if (native_path == "type") return "database.type";
  if (native_path == "login_id" || native_path == "username" || native_path == "password")
    return "database.login.id";
  const bool from_string = native_path == "host" || native_path == "port" ||
                           native_path == "database" || native_path == "schema" ||
                           native_path.starts_with("options.") || native_path.starts_with("tls.");
  return from_string ? "connectionString (" + std::string(native_path) + ")"
                     : std::string(native_path);
}

Result<MstrConnectionInput> read_mstr_connection(const json::object& body) {
  std::vector<FieldProblem> problems;
  MstrConnectionInput in;
  const json::value* name = body.if_contains("name");
  if (name == nullptr || !name->is_string() || name->get_string().empty())
    problems.push_back({"name", "is required"});
  else
    in.name = std::string(name->get_string());
  read_settings(body, in.settings, problems);
  const json::value* type = find_path(body, "database.type");
  const json::value* login = find_path(body, "database.login.id");
  const json::value* version = find_path(body, "database.version");
  std::optional<std::string> native_type;
  if (type == nullptr || !type->is_string())
    problems.push_back({"database.type", "is required"});
  else if (!(native_type = native_type_of_mstr(type->get_string())))
    problems.push_back({"database.type", "is not a database type dsbroker knows"});
  else
    in.mstr_type = std::string(type->get_string());
  // Without a login the datasource keeps credentials of its own (one made elsewhere).
  if (login != nullptr && !login->is_null() && !login->is_string())
    problems.push_back({"database.login.id", "must be a string"});
  else if (login != nullptr && login->is_string() && !login->get_string().empty())
    in.login_id = normalized_mstr_id(login->get_string());
  if (version != nullptr && version->is_string()) in.version = std::string(version->get_string());
  const std::string text = str_at(in.settings, "connectionString");
  if (text.empty()) problems.push_back({"connectionString", "is required"});
  if (!problems.empty()) return invalid_body(std::move(problems));

  auto attrs = codecs::parse_odbc_connection_string(text, "connectionString");
  if (!attrs) return attrs.error();
  if (is_dsn_only(*attrs)) {
    in.dsn = *odbc_value(*attrs, {"DSN"});
    return in;
  }
  const drivers::TypeEntry* entry = drivers::find_type(*native_type);
  json::object native{{"name", in.name}, {"type", entry->name}};
  if (!in.login_id.empty()) native["login_id"] = in.login_id;
  apply_attributes(*entry, *attrs, native, problems);
  if (!problems.empty()) return invalid_body(std::move(problems));
  in.native = std::move(native);
  return in;
}

json::object connection_record(const MstrConnectionInput& in, const std::string& native_id) {
  json::object r{{"native_id", native_id},
                 {"database", json::object{{"type", in.mstr_type}, {"version", in.version}}},
                 {"settings", in.settings}};
  if (native_id.empty()) {
    r["name"] = in.name;
    r["login_id"] = in.login_id;
    r["dsn"] = in.dsn;
  }
  return r;
}

std::optional<std::int64_t> max_connection_attempt_s(const json::object& record) {
  const json::value* v = find_path(record, "settings.maxConnectionAttemptTime");
  if (v == nullptr || !v->is_int64() || v->get_int64() <= 0) return std::nullopt;
  return v->get_int64();
}

json::object render_mstr_connection(
    const std::string& id, const json::object& record, const store::DatasourceRecord* native,
    const std::function<std::string(const std::string&)>& login_name) {
  json::object settings;
  const json::value* stored = record.if_contains("settings");
  for (const Setting& s : kSettings) {
    const json::value* v =
        stored && stored->is_object() ? stored->get_object().if_contains(s.name) : nullptr;
    settings[s.name] = v != nullptr ? *v : default_of(s);
  }
  auto text_at = [&record](std::string_view path) {
    const json::value* v = find_path(record, path);
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  std::string mstr_type = text_at("database.type");
  std::string version = text_at("database.version");
  std::string name = str_at(record, "name");
  std::string login_id = str_at(record, "login_id");
  if (native != nullptr) {
    name = native->name;
    login_id = str_at(native->config, "login_id");
    if (native_type_of_mstr(mstr_type) !=
        native->type) {  // retyped elsewhere, or never MicroStrategy's
      mstr_type = mstr_type_of_native(native->type);
      version.clear();
    }
    settings["connectionString"] = connection_string_for(settings, *native);
  }
  json::object login;
  if (!login_id.empty()) login = {{"id", login_id}, {"name", login_name(login_id)}};
  json::object out{{"name", name}, {"id", id}};
  for (const Setting& s : kSettings) {
    if (s.name == "executionMode") out["acg"] = 0;
    out[s.name] = settings[s.name];
    if (s.name == "extendedFetch") {
      json::object database;
      if (!login.empty()) database["login"] = login;
      database["type"] = mstr_type;
      database["version"] = version;
      out["database"] = std::move(database);
    }
  }
  return out;
}

}  // namespace dsb::server::api::compat
