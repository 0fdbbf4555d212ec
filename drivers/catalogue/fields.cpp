// Builders for the field specs most types share.
#include "drivers/catalogue/catalogue_internal.hpp"

namespace dsb::drivers::catalogue {

FieldSpec field(std::string path, FieldKind kind, std::string description,
                std::string vendor_name) {
  FieldSpec f;
  f.path = std::move(path);
  f.kind = kind;
  f.vendor_name = std::move(vendor_name);
  f.description = std::move(description);
  return f;
}

FieldSpec host_field(std::string description, std::string vendor_name) {
  FieldSpec f = field("host", FieldKind::string, std::move(description), std::move(vendor_name));
  f.required = true;
  return f;
}

FieldSpec port_field(std::uint16_t default_port) {
  FieldSpec f = field("port", FieldKind::integer, "TCP port (1-65535)", "port");
  f.default_value = std::to_string(default_port);
  return f;
}

FieldSpec database_field(bool required, std::string description) {
  FieldSpec f = field("database", FieldKind::string, std::move(description), "database");
  f.required = required;
  return f;
}

FieldSpec schema_field(std::string description) {
  return field("schema", FieldKind::string, std::move(description), "schema");
}

FieldSpec username_field(bool required, std::string vendor_name) {
  FieldSpec f = field("username", FieldKind::string, "User name to log in with (or use login_id)",
                      std::move(vendor_name));
  f.required = required;
  return f;
}

FieldSpec password_field(bool required) {
  FieldSpec f =
      field("password", FieldKind::string, "Password of the user (or use login_id)", "password");
  f.required = required;
  f.secret = true;
  return f;
}

FieldSpec login_field() {
  return field("login_id", FieldKind::string,
               "Id of a reusable login that supplies username and password; username and "
               "password must then be absent");
}

FieldSpec option(std::string name, std::string description, bool required) {
  FieldSpec f = field("options." + name, FieldKind::string, std::move(description), name);
  f.required = required;
  return f;
}

FieldSpec secret_option(std::string name, std::string description, bool required, FieldKind kind) {
  FieldSpec f = option(std::move(name), std::move(description), required);
  f.kind = kind;
  f.secret = true;
  return f;
}

FieldSpec enum_option(std::string name, std::vector<std::string> allowed, std::string description,
                      std::string default_value) {
  FieldSpec f = option(std::move(name), std::move(description));
  f.kind = FieldKind::enumeration;
  f.allowed = std::move(allowed);
  if (!default_value.empty()) f.default_value = "\"" + default_value + "\"";
  return f;
}

FieldSpec bool_option(std::string name, std::string description, bool default_value,
                      std::string vendor_name) {
  FieldSpec f = option(std::move(name), std::move(description));
  f.kind = FieldKind::boolean;
  f.default_value = default_value ? "true" : "false";
  if (!vendor_name.empty()) f.vendor_name = std::move(vendor_name);
  return f;
}

FieldSpec ssl_option() {
  FieldSpec f = enum_option("ssl", {"enable", "disable"},
                            "Databrain's SSL switch: \"enable\" needs tls.mode other than "
                            "disable (require when tls{} is absent); \"disable\" forbids TLS");
  return f;
}

}  // namespace dsb::drivers::catalogue
