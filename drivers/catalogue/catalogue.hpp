// The type catalogue: every datasource type, its fields, defaults, which
// fields are secret, and whether this build can connect to it.
//
// The native datasource body has common top-level fields (host, port,
// database, schema, username, password, login_id, tls{}, ssh{}, tenancy{})
// and type-specific ones under options{}. Field paths are written with dots:
// "host", "options.warehouse", "ssh.private_key".
#pragma once

#include "core/failure.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dsb::drivers {

enum class FieldKind { string, integer, boolean, enumeration, object, text };

struct FieldSpec {
  std::string path;  // "host", "options.account", ...
  FieldKind kind = FieldKind::string;
  bool required = false;
  bool secret = false;
  std::string default_value;         // JSON text, empty = none
  std::vector<std::string> allowed;  // for enumeration
  std::string vendor_name;           // the Databrain credentials key, e.g. "server" for mssql host
  std::string description;
};

struct TypeEntry {
  std::string name;                  // "postgres"
  std::string label;                 // "PostgreSQL"
  std::vector<std::string> aliases;  // "mariadb" for mysql
  std::string family;  // driver family: postgres, mysql, clickhouse, csv, sqlite, or ""
  std::uint16_t default_port = 0;
  bool connectable = false;  // this build has a driver
  bool supports_tls = false;
  bool supports_ssh = false;
  std::vector<FieldSpec> fields;  // every accepted path except name/type/tls/ssh/tenancy
};

struct ValidationContext {
  std::string file_root;  // csv/sqlite paths must stay under it
};

// Every type, in catalogue order.
std::span<const TypeEntry> all_types();

// By name or alias; nullptr when unknown.
const TypeEntry* find_type(std::string_view name);

// Every path of `entry` that holds a secret, including tls.key,
// ssh.password, ssh.private_key and ssh.passphrase where they apply.
std::vector<std::string> secret_paths(const TypeEntry& entry);

// Checks a whole datasource body (without name/type): unknown fields, types,
// required fields, allowed values, tls{}, ssh{} and tenancy{} blocks.
// Appends one problem per bad field; empty output means valid.
void validate_datasource(const TypeEntry& entry, const boost::json::object& body,
                         const ValidationContext& ctx, std::vector<FieldProblem>& problems);

// Fills defaults for absent optional fields (port, options.*).
void apply_defaults(const TypeEntry& entry, boost::json::object& body);

// GET /v1/types: [{name, label, aliases, default_port, connectable, fields:[{path, kind, required,
// secret, default, allowed}]}]
boost::json::value catalogue_json();

}  // namespace dsb::drivers
