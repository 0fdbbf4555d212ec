// Shared by the catalogue's translation units only: the per-type rules that
// a FieldSpec cannot express (conditional requirements, formats), field
// builders, and small helpers for reading and checking a body.
#pragma once

#include "drivers/catalogue/catalogue.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dsb::drivers::catalogue {

namespace json = boost::json;

// Problems found in one validate_datasource call; at most one per field
// (the first found wins, so a type error is not followed by a format error).
class Problems {
 public:
  explicit Problems(std::vector<FieldProblem>& out) : out_(out), start_(out.size()) {}
  bool has(std::string_view field) const;
  void add(std::string field, std::string problem);

 private:
  std::vector<FieldProblem>& out_;
  std::size_t start_;
};

// Cross-field checks of one type, run after the generic field checks.
using CheckFn = void (*)(const json::object& body, const ValidationContext& ctx, Problems& p);

// The default to fill for `field` given the body so far, or nullopt to leave
// it absent. Types without one use field.default_value.
using DefaultFn = std::optional<std::string> (*)(const json::object& body, const FieldSpec& field);

struct TypeRules {
  CheckFn check = nullptr;
  DefaultFn default_for = nullptr;
  bool supports_tenancy = false;  // SQL types only
};

// Rules of a type that takes tenancy{} (SQL types) and of one that does not.
inline TypeRules sql_rules(CheckFn check = nullptr, DefaultFn default_for = nullptr) {
  return TypeRules{check, default_for, true};
}
inline TypeRules plain_rules(CheckFn check = nullptr, DefaultFn default_for = nullptr) {
  return TypeRules{check, default_for, false};
}

struct TypeDef {
  TypeEntry entry;
  TypeRules rules;
};

// One function per family file; catalogue.cpp concatenates them.
std::vector<TypeDef> sql_types();        // types_sql.cpp
std::vector<TypeDef> warehouse_types();  // types_warehouse.cpp
std::vector<TypeDef> search_types();     // types_search.cpp
std::vector<TypeDef> file_types();       // types_files.cpp

// The rules of a catalogue entry (default rules for an entry built by a caller).
const TypeRules& rules_for(const TypeEntry& entry);

// The fields of the tls{}, ssh{} and tenancy{} blocks (blocks.cpp).
const std::vector<FieldSpec>& tls_fields();
const std::vector<FieldSpec>& ssh_fields();
const std::vector<FieldSpec>& tenancy_fields();

// Validates the blocks present in `body` (blocks.cpp).
void check_blocks(const TypeEntry& entry, const TypeRules& rules, const json::object& body,
                  Problems& p);

// Type and value checks of one field spec against the value at its path
// (validate.cpp); also used for block fields.
void check_field(const json::object& body, const FieldSpec& spec, bool login_present, Problems& p);

// ---- field builders (fields.cpp) ----
FieldSpec field(std::string path, FieldKind kind, std::string description,
                std::string vendor_name = {});
FieldSpec host_field(std::string description = "Host name or IP address of the server",
                     std::string vendor_name = "host");
FieldSpec port_field(std::uint16_t default_port);
FieldSpec database_field(bool required, std::string description = "Database name");
FieldSpec schema_field(std::string description = "Default schema");
FieldSpec username_field(bool required, std::string vendor_name = "username");
FieldSpec password_field(bool required);
FieldSpec login_field();
FieldSpec option(std::string name, std::string description, bool required = false);
FieldSpec secret_option(std::string name, std::string description, bool required = false,
                        FieldKind kind = FieldKind::string);
FieldSpec enum_option(std::string name, std::vector<std::string> allowed, std::string description,
                      std::string default_value = {});
FieldSpec bool_option(std::string name, std::string description, bool default_value,
                      std::string vendor_name = {});
// Databrain's ssl switch ("enable" | "disable") for the postgres family and trino.
FieldSpec ssl_option();

// ---- body access and checks (checks.cpp) ----
// The value at a dotted path ("host", "options.role"), nullptr when absent.
const json::value* lookup(const json::object& body, std::string_view path);
// Present and not null.
bool present(const json::object& body, std::string_view path);
// The string at `path`, or `fallback` when absent or not a string.
std::string_view string_or(const json::object& body, std::string_view path,
                           std::string_view fallback);
bool bool_or(const json::object& body, std::string_view path, bool fallback);

// "is required" unless present (null counts as absent).
void require(const json::object& body, std::string_view path, Problems& p,
             std::string_view when = {});
// A problem when present (not null): the field does not apply in this mode.
void refuse(const json::object& body, std::string_view path, Problems& p,
            std::string_view only_when);

void check_host(const json::object& body, std::string_view path, Problems& p);
void check_aws_region(const json::object& body, std::string_view path, Problems& p);
void check_s3_bucket(const json::object& body, std::string_view path, Problems& p);
void check_relative_path(const json::object& body, std::string_view path,
                         const ValidationContext& ctx, Problems& p);
void check_json_object(const json::object& body, std::string_view path, Problems& p);
// `label` is what the PEM block must announce: "CERTIFICATE" or "PRIVATE KEY".
void check_pem(const json::object& body, std::string_view path, std::string_view label,
               Problems& p);
void check_ssh_fingerprint(const json::object& body, std::string_view path, Problems& p);
void check_single_char(const json::object& body, std::string_view path, Problems& p);
// A problem when `path` is set and true/"enable"-like values conflict with tls.mode.
void check_ssl_switch(const json::object& body, Problems& p);

}  // namespace dsb::drivers::catalogue
