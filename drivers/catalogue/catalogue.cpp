// The registry of types, lookups, secret paths, defaults and the JSON the
// API serves at GET /v1/types.
#include "drivers/catalogue/catalogue_internal.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cctype>

namespace dsb::drivers {
namespace {

using catalogue::TypeDef;
using catalogue::TypeRules;
namespace json = boost::json;

struct Registry {
  std::vector<TypeEntry> entries;
  std::vector<TypeRules> rules;  // parallel to entries
};

// Catalogue order: the order of Databrain's list of datasource types, with
// sqlite (not a Databrain type) last.
constexpr std::string_view kOrder[] = {
    "postgres", "redshift",  "cockroachdb", "mysql",      "singlestore",   "clickhouse", "mssql",
    "mongodb",  "snowflake", "bigquery",    "databricks", "elasticsearch", "opensearch", "awss3",
    "csv",      "firebolt",  "athena",      "trino",      "sqlite"};

Registry build_registry() {
  std::vector<TypeDef> defs;
  for (auto family : {catalogue::sql_types, catalogue::warehouse_types, catalogue::search_types,
                      catalogue::file_types})
    for (TypeDef& d : family()) defs.push_back(std::move(d));
  const auto rank = [](const TypeDef& d) {
    return std::find(std::begin(kOrder), std::end(kOrder), d.entry.name) - std::begin(kOrder);
  };
  std::stable_sort(defs.begin(), defs.end(),
                   [&](const TypeDef& a, const TypeDef& b) { return rank(a) < rank(b); });
  Registry r;
  for (TypeDef& d : defs) {
    r.entries.push_back(std::move(d.entry));
    r.rules.push_back(d.rules);
  }
  return r;
}

const Registry& registry() {
  static const Registry r = build_registry();
  return r;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view kind_name(FieldKind k) {
  switch (k) {
    case FieldKind::string:
      return "string";
    case FieldKind::integer:
      return "integer";
    case FieldKind::boolean:
      return "boolean";
    case FieldKind::enumeration:
      return "enumeration";
    case FieldKind::object:
      return "object";
    case FieldKind::text:
      return "text";
  }
  return "string";
}

json::object field_json(const FieldSpec& f) {
  json::object o;
  o["path"] = f.path;
  o["kind"] = kind_name(f.kind);
  o["required"] = f.required;
  o["secret"] = f.secret;
  o["default"] = f.default_value.empty() ? json::value() : json::parse(f.default_value);
  json::array allowed;
  for (const std::string& a : f.allowed) allowed.emplace_back(a);
  o["allowed"] = std::move(allowed);
  if (!f.vendor_name.empty()) o["vendor_name"] = f.vendor_name;
  o["description"] = f.description;
  return o;
}

json::object type_json(const TypeEntry& e, const TypeRules& rules) {
  json::object o;
  o["name"] = e.name;
  o["label"] = e.label;
  json::array aliases;
  for (const std::string& a : e.aliases) aliases.emplace_back(a);
  o["aliases"] = std::move(aliases);
  o["family"] = e.family;
  if (e.default_port != 0)
    o["default_port"] = e.default_port;
  else
    o["default_port"] = nullptr;
  o["connectable"] = e.connectable;
  o["supports_tls"] = e.supports_tls;
  o["supports_ssh"] = e.supports_ssh;
  o["supports_tenancy"] = rules.supports_tenancy;
  json::array fields;
  for (const FieldSpec& f : e.fields) fields.emplace_back(field_json(f));
  if (e.supports_tls)
    for (const FieldSpec& f : catalogue::tls_fields()) fields.emplace_back(field_json(f));
  if (e.supports_ssh)
    for (const FieldSpec& f : catalogue::ssh_fields()) fields.emplace_back(field_json(f));
  if (rules.supports_tenancy)
    for (const FieldSpec& f : catalogue::tenancy_fields()) fields.emplace_back(field_json(f));
  o["fields"] = std::move(fields);
  return o;
}

// Sets `path` (top level or one level down) when absent or null.
void fill(json::object& body, std::string_view path, std::string_view default_json) {
  json::object* target = &body;
  std::string_view key = path;
  if (const std::size_t dot = path.find('.'); dot != std::string_view::npos) {
    json::value& outer = body[path.substr(0, dot)];
    if (outer.is_null()) outer.emplace_object();
    if (!outer.is_object()) return;  // validation reports it
    target = &outer.get_object();
    key = path.substr(dot + 1);
  }
  const json::value* current = target->if_contains(key);
  if (current == nullptr || current->is_null()) (*target)[key] = json::parse(default_json);
}

}  // namespace

namespace catalogue {

const TypeRules& rules_for(const TypeEntry& entry) {
  static const TypeRules none;
  const Registry& r = registry();
  if (&entry >= r.entries.data() && &entry < r.entries.data() + r.entries.size())
    return r.rules[static_cast<std::size_t>(&entry - r.entries.data())];
  for (std::size_t i = 0; i < r.entries.size(); ++i)
    if (r.entries[i].name == entry.name) return r.rules[i];
  return none;
}

}  // namespace catalogue

std::span<const TypeEntry> all_types() {
  return registry().entries;
}

const TypeEntry* find_type(std::string_view name) {
  for (const TypeEntry& e : registry().entries) {
    if (iequals(e.name, name)) return &e;
    for (const std::string& a : e.aliases)
      if (iequals(a, name)) return &e;
  }
  return nullptr;
}

std::vector<std::string> secret_paths(const TypeEntry& entry) {
  std::vector<std::string> paths;
  for (const FieldSpec& f : entry.fields)
    if (f.secret) paths.push_back(f.path);
  if (entry.supports_tls)
    for (const FieldSpec& f : catalogue::tls_fields())
      if (f.secret) paths.push_back(f.path);
  if (entry.supports_ssh)
    for (const FieldSpec& f : catalogue::ssh_fields())
      if (f.secret) paths.push_back(f.path);
  return paths;
}

void apply_defaults(const TypeEntry& entry, boost::json::object& body) {
  const TypeRules& rules = catalogue::rules_for(entry);
  for (const FieldSpec& f : entry.fields) {
    if (f.path != "port" && f.path.rfind("options.", 0) != 0) continue;
    std::optional<std::string> value;
    if (rules.default_for != nullptr)
      value = rules.default_for(body, f);
    else if (!f.default_value.empty())
      value = f.default_value;
    if (value && !value->empty()) fill(body, f.path, *value);
  }
  // An enabled tunnel without a port uses 22.
  const json::value* ssh = body.if_contains("ssh");
  if (entry.supports_ssh && ssh != nullptr && ssh->is_object() &&
      catalogue::bool_or(body, "ssh.enabled", false))
    fill(body, "ssh.port", "22");
}

boost::json::value catalogue_json() {
  static const json::value cached = [] {
    json::array types;
    const Registry& r = registry();
    for (std::size_t i = 0; i < r.entries.size(); ++i)
      types.emplace_back(type_json(r.entries[i], r.rules[i]));
    return json::value(std::move(types));
  }();
  return cached;
}

}  // namespace dsb::drivers
