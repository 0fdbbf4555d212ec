// The tls{}, ssh{} and tenancy{} blocks: their fields and their rules.
#include "drivers/catalogue/catalogue_internal.hpp"

#include <algorithm>
#include <regex>

namespace dsb::drivers::catalogue {
namespace {

constexpr std::size_t kMaxAllowPattern = 512;

FieldSpec block_field(std::string path, FieldKind kind, std::string description,
                      bool secret = false, std::string vendor_name = {}) {
  FieldSpec f = field(std::move(path), kind, std::move(description), std::move(vendor_name));
  f.secret = secret;
  return f;
}

// The five fields a TABLE tenancy needs and a DATABASE tenancy refuses.
constexpr std::string_view kTableFields[] = {"tenancy.client_column_type", "tenancy.schema_name",
                                             "tenancy.table_name", "tenancy.client_name_column",
                                             "tenancy.primary_key_column"};

void check_tls(const json::object& body, Problems& p) {
  const std::string_view mode = string_or(body, "tls.mode", "");
  if (mode == "disable") {
    for (std::string_view f : {"tls.ca", "tls.cert", "tls.key"})
      refuse(body, f, p, "tls.mode is not disable");
    return;
  }
  if (present(body, "tls.key")) require(body, "tls.cert", p, "tls.key is set");
  if (present(body, "tls.cert")) require(body, "tls.key", p, "tls.cert is set");
  check_pem(body, "tls.ca", "CERTIFICATE", p);
  check_pem(body, "tls.cert", "CERTIFICATE", p);
  check_pem(body, "tls.key", "PRIVATE KEY", p);
}

void check_ssh(const json::object& body, Problems& p) {
  check_host(body, "ssh.host", p);
  check_pem(body, "ssh.private_key", "PRIVATE KEY", p);
  check_ssh_fingerprint(body, "ssh.host_key_fingerprint", p);
  if (present(body, "ssh.passphrase") && !present(body, "ssh.private_key"))
    p.add("ssh.passphrase", "is only valid with ssh.private_key");
  if (!bool_or(body, "ssh.enabled", false)) return;
  require(body, "ssh.host", p, "ssh.enabled is true");
  require(body, "ssh.username", p, "ssh.enabled is true");
  if (!present(body, "ssh.password") && !present(body, "ssh.private_key"))
    p.add("ssh.private_key", "is required when ssh.enabled is true and ssh.password is absent");
}

void require_non_empty(const json::object& body, std::string_view path, Problems& p) {
  require(body, path, p, "tenancy.level is TABLE");
  const json::value* v = lookup(body, path);
  if (v != nullptr && v->is_string() && v->get_string().empty())
    p.add(std::string(path), "must not be empty");
}

void check_allow_pattern(const json::object& body, Problems& p) {
  const json::value* v = lookup(body, "tenancy.client_allow_pattern");
  if (v == nullptr || !v->is_string()) return;
  const std::string_view s = v->get_string();
  if (s.size() > kMaxAllowPattern)
    return p.add("tenancy.client_allow_pattern",
                 "must be at most " + std::to_string(kMaxAllowPattern) + " bytes");
  try {
    std::regex re(s.begin(), s.end(), std::regex::ECMAScript);
  } catch (const std::regex_error&) {
    p.add("tenancy.client_allow_pattern", "must be a valid regular expression (ECMAScript)");
  }
}

void check_tenancy(const json::object& body, Problems& p) {
  const std::string_view level = string_or(body, "tenancy.level", "");
  if (level == "TABLE") {
    for (std::string_view f : kTableFields) require_non_empty(body, f, p);
    refuse(body, "tenancy.database_pattern", p, "tenancy.level is DATABASE");
    refuse(body, "tenancy.client_allow_pattern", p, "tenancy.level is DATABASE");
  } else if (level == "DATABASE") {
    for (std::string_view f : kTableFields) refuse(body, f, p, "tenancy.level is TABLE");
    refuse(body, "tenancy.client_column", p, "tenancy.level is TABLE");
    const json::value* pattern = lookup(body, "tenancy.database_pattern");
    if (pattern != nullptr && pattern->is_string() &&
        std::string_view(pattern->get_string()).find("{client}") == std::string_view::npos)
      p.add("tenancy.database_pattern", "must contain {client}");
    check_allow_pattern(body, p);
  }
}

struct Block {
  std::string_view name;
  const std::vector<FieldSpec>& (*fields)();
  void (*check)(const json::object& body, Problems& p);
};

}  // namespace

const std::vector<FieldSpec>& tls_fields() {
  static const std::vector<FieldSpec> fields = [] {
    FieldSpec mode = block_field("tls.mode", FieldKind::enumeration,
                                 "disable, require (encrypt only), verify-ca (check the chain), "
                                 "verify-full (chain and host name)");
    mode.required = true;
    mode.allowed = {"disable", "require", "verify-ca", "verify-full"};
    return std::vector<FieldSpec>{
        mode,
        block_field("tls.ca", FieldKind::text, "CA certificate(s) to trust, PEM"),
        block_field("tls.cert", FieldKind::text, "Client certificate, PEM"),
        block_field("tls.key", FieldKind::text, "Client private key, PEM", true),
    };
  }();
  return fields;
}

const std::vector<FieldSpec>& ssh_fields() {
  static const std::vector<FieldSpec> fields = [] {
    FieldSpec enabled =
        block_field("ssh.enabled", FieldKind::boolean, "Connect through this SSH bastion");
    enabled.required = true;
    FieldSpec port = block_field("ssh.port", FieldKind::integer, "SSH port (1-65535)");
    port.default_value = "22";
    return std::vector<FieldSpec>{
        enabled,
        block_field("ssh.host", FieldKind::string, "Bastion host name or IP address"),
        port,
        block_field("ssh.username", FieldKind::string, "User on the bastion"),
        block_field("ssh.password", FieldKind::string, "Password on the bastion", true),
        block_field("ssh.private_key", FieldKind::text, "Private key, PEM or OpenSSH format", true),
        block_field("ssh.passphrase", FieldKind::string, "Passphrase of the private key", true),
        block_field("ssh.host_key_fingerprint", FieldKind::string,
                    "Pinned host key, \"SHA256:...\" as ssh-keygen -lf prints it"),
    };
  }();
  return fields;
}

const std::vector<FieldSpec>& tenancy_fields() {
  static const std::vector<FieldSpec> fields = [] {
    FieldSpec level = block_field("tenancy.level", FieldKind::enumeration,
                                  "TABLE: one database, rows filtered by client; DATABASE: one "
                                  "database per client",
                                  false, "tenancyLevel");
    level.required = true;
    level.allowed = {"TABLE", "DATABASE"};
    FieldSpec type = block_field("tenancy.client_column_type", FieldKind::enumeration,
                                 "Type of the client id column (TABLE)", false, "clientColumnType");
    type.allowed = {"NUMBER", "STRING"};
    return std::vector<FieldSpec>{
        level,
        type,
        block_field("tenancy.schema_name", FieldKind::string, "Schema of the client table (TABLE)",
                    false, "schemaName"),
        block_field("tenancy.table_name", FieldKind::string, "Table listing the clients (TABLE)",
                    false, "tableName"),
        block_field("tenancy.client_name_column", FieldKind::string,
                    "Column holding the client name (TABLE)", false, "clientNameColumn"),
        block_field("tenancy.primary_key_column", FieldKind::string,
                    "Primary key column of the client table (TABLE)", false, "primaryKeyColumn"),
        block_field("tenancy.client_column", FieldKind::string,
                    "Column of the data tables that holds the client id (TABLE, optional)", false,
                    "clientColumn"),
        block_field("tenancy.database_pattern", FieldKind::string,
                    "Database name of a client, containing {client} (DATABASE, optional)", false,
                    "databasePattern"),
        block_field("tenancy.client_allow_pattern", FieldKind::string,
                    "Regular expression (ECMAScript) client names must match (DATABASE, optional)",
                    false, "clientAllowPattern"),
    };
  }();
  return fields;
}

void check_blocks(const TypeEntry& entry, const TypeRules& rules, const json::object& body,
                  Problems& p) {
  const Block blocks[] = {{"tls", tls_fields, check_tls},
                          {"ssh", ssh_fields, check_ssh},
                          {"tenancy", tenancy_fields, check_tenancy}};
  const bool supported[] = {entry.supports_tls, entry.supports_ssh, rules.supports_tenancy};
  for (std::size_t i = 0; i < std::size(blocks); ++i) {
    const Block& b = blocks[i];
    const json::value* v = body.if_contains(b.name);
    if (v == nullptr) continue;
    if (!supported[i]) {
      p.add(std::string(b.name), "is not supported for type " + entry.name);
      continue;
    }
    if (!v->is_object()) {
      p.add(std::string(b.name), "must be an object");
      continue;
    }
    const std::vector<FieldSpec>& fields = b.fields();
    for (const auto& kv : v->get_object()) {
      std::string path = std::string(b.name) + "." + std::string(kv.key());
      const bool known = std::any_of(fields.begin(), fields.end(),
                                     [&](const FieldSpec& f) { return f.path == path; });
      if (!known) p.add(std::move(path), "unknown field");
    }
    for (const FieldSpec& f : fields) check_field(body, f, false, p);
    b.check(body, p);
  }
}

}  // namespace dsb::drivers::catalogue
