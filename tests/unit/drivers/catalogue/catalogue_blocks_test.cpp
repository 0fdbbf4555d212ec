// The tls{}, ssh{} and tenancy{} blocks.
#include "tests/unit/drivers/catalogue/test_bodies.hpp"

namespace dsb::drivers {
namespace {

using test::describe;
using test::minimal;
using test::problem_of;
using test::validate;

const std::string kCert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const std::string kKey = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
const std::string kOpenSshKey =
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----\n";
const std::string kFingerprint = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";

boost::json::object with(const std::string& type, const char* block, boost::json::object value) {
  boost::json::object body = minimal(type);
  body[block] = std::move(value);
  return body;
}

// ---- tls ----

TEST(CatalogueTls, ValidBlocks) {
  for (const char* mode : {"disable", "require", "verify-ca", "verify-full"})
    EXPECT_TRUE(validate("postgres", with("postgres", "tls", {{"mode", mode}})).empty()) << mode;
  const auto body = with("mysql", "tls",
                         {{"mode", "verify-full"}, {"ca", kCert}, {"cert", kCert}, {"key", kKey}});
  EXPECT_TRUE(validate("mysql", body).empty()) << describe(validate("mysql", body));
}

TEST(CatalogueTls, OnlyForTypesThatSupportIt) {
  for (const char* type : {"snowflake", "bigquery", "csv", "awss3", "databricks"}) {
    const auto problems = validate(type, with(type, "tls", {{"mode", "require"}}));
    EXPECT_EQ(problem_of(problems, "tls"), std::string("is not supported for type ") + type);
  }
}

TEST(CatalogueTls, Rules) {
  EXPECT_EQ(problem_of(validate("postgres", with("postgres", "tls", {})), "tls.mode"),
            "is required");
  EXPECT_EQ(
      problem_of(validate("postgres", with("postgres", "tls", {{"mode", "prefer"}})), "tls.mode"),
      "must be one of: disable, require, verify-ca, verify-full");
  EXPECT_EQ(problem_of(
                validate("postgres", with("postgres", "tls", {{"mode", "disable"}, {"ca", kCert}})),
                "tls.ca"),
            "is only valid when tls.mode is not disable");
  EXPECT_EQ(problem_of(validate("postgres",
                                with("postgres", "tls", {{"mode", "require"}, {"cert", kCert}})),
                       "tls.key"),
            "is required when tls.cert is set");
  EXPECT_EQ(problem_of(
                validate("postgres", with("postgres", "tls", {{"mode", "require"}, {"key", kKey}})),
                "tls.cert"),
            "is required when tls.key is set");
  EXPECT_NE(problem_of(validate("postgres",
                                with("postgres", "tls", {{"mode", "verify-ca"}, {"ca", "abc"}})),
                       "tls.ca"),
            "");
  EXPECT_NE(problem_of(validate("postgres",
                                with("postgres", "tls",
                                     {{"mode", "verify-ca"}, {"cert", kCert}, {"key", kCert}})),
                       "tls.key"),
            "");
  EXPECT_EQ(
      problem_of(validate("postgres", with("postgres", "tls", {{"mode", "require"}, {"sni", "x"}})),
                 "tls.sni"),
      "unknown field");
  boost::json::object body = minimal("postgres");
  body["tls"] = "require";
  EXPECT_EQ(problem_of(validate("postgres", body), "tls"), "must be an object");
}

TEST(CatalogueTls, DatabrainSslSwitchMustAgree) {
  boost::json::object body = with("postgres", "tls", {{"mode", "verify-full"}});
  body["options"] = {{"ssl", "disable"}};
  EXPECT_EQ(problem_of(validate("postgres", body), "options.ssl"), "conflicts with tls.mode");
  body["options"] = {{"ssl", "enable"}};
  EXPECT_TRUE(validate("postgres", body).empty());
}

// ---- ssh ----

boost::json::object tunnel() {
  return {{"enabled", true},
          {"host", "bastion.example.com"},
          {"port", 2222},
          {"username", "jump"},
          {"private_key", kOpenSshKey},
          {"passphrase", "pp"},
          {"host_key_fingerprint", kFingerprint}};
}

TEST(CatalogueSsh, ValidBlocks) {
  for (const char* type : {"postgres", "mysql", "clickhouse", "mssql", "mongodb", "trino"}) {
    const auto problems = validate(type, with(type, "ssh", tunnel()));
    EXPECT_TRUE(problems.empty()) << type << ": " << describe(problems);
  }
  const auto password = with(
      "postgres", "ssh", {{"enabled", true}, {"host", "b"}, {"username", "u"}, {"password", "p"}});
  EXPECT_TRUE(validate("postgres", password).empty());
  // A disabled tunnel keeps its settings without needing them complete.
  EXPECT_TRUE(
      validate("postgres", with("postgres", "ssh", {{"enabled", false}, {"host", "b"}})).empty());
}

TEST(CatalogueSsh, OnlyForTypesThatSupportIt) {
  for (const char* type : {"snowflake", "bigquery", "elasticsearch", "csv", "sqlite"})
    EXPECT_EQ(problem_of(validate(type, with(type, "ssh", tunnel())), "ssh"),
              std::string("is not supported for type ") + type);
}

TEST(CatalogueSsh, Rules) {
  auto problem = [](const char* erase, const char* field, boost::json::value set = nullptr,
                    const char* set_field = nullptr) {
    boost::json::object t = tunnel();
    if (erase) t.erase(erase);
    if (set_field) t[set_field] = set;
    return problem_of(validate("postgres", with("postgres", "ssh", t)), field);
  };
  EXPECT_EQ(problem("enabled", "ssh.enabled"), "is required");
  EXPECT_EQ(problem("host", "ssh.host"), "is required when ssh.enabled is true");
  EXPECT_EQ(problem("username", "ssh.username"), "is required when ssh.enabled is true");
  EXPECT_EQ(problem(nullptr, "ssh.port", 0, "port"), "must be between 1 and 65535");
  EXPECT_EQ(problem(nullptr, "ssh.enabled", "yes", "enabled"), "must be a boolean");
  EXPECT_NE(problem(nullptr, "ssh.host_key_fingerprint", "MD5:aa:bb", "host_key_fingerprint"), "");
  EXPECT_NE(problem(nullptr, "ssh.host_key_fingerprint", "SHA256:short", "host_key_fingerprint"),
            "");
  EXPECT_EQ(problem(nullptr, "ssh.host_key_fingerprint", boost::json::value(kFingerprint + "="),
                    "host_key_fingerprint"),
            "");
  EXPECT_NE(problem(nullptr, "ssh.private_key", "not a key", "private_key"), "");
  EXPECT_EQ(problem(nullptr, "ssh.agent", true, "agent"), "unknown field");
  EXPECT_NE(problem(nullptr, "ssh.host", "ssh://bastion", "host"), "");

  boost::json::object no_secret = tunnel();
  no_secret.erase("private_key");
  no_secret.erase("passphrase");
  EXPECT_EQ(problem_of(validate("postgres", with("postgres", "ssh", no_secret)), "ssh.private_key"),
            "is required when ssh.enabled is true and ssh.password is absent");

  boost::json::object orphan = tunnel();
  orphan.erase("private_key");
  orphan["password"] = "p";
  EXPECT_EQ(problem_of(validate("postgres", with("postgres", "ssh", orphan)), "ssh.passphrase"),
            "is only valid with ssh.private_key");
}

// ---- tenancy ----

boost::json::object table_tenancy() {
  return {{"level", "TABLE"},
          {"client_column_type", "STRING"},
          {"schema_name", "public"},
          {"table_name", "clients"},
          {"client_name_column", "name"},
          {"primary_key_column", "id"},
          {"client_column", "client_id"}};
}

const char* const kTableFields[] = {"client_column_type", "schema_name", "table_name",
                                    "client_name_column", "primary_key_column"};

TEST(CatalogueTenancy, TableLevel) {
  EXPECT_TRUE(validate("postgres", with("postgres", "tenancy", table_tenancy())).empty());
  for (const char* f : kTableFields) {
    boost::json::object t = table_tenancy();
    t.erase(f);
    EXPECT_EQ(problem_of(validate("postgres", with("postgres", "tenancy", t)),
                         std::string("tenancy.") + f),
              "is required when tenancy.level is TABLE")
        << f;
    t[f] = f == std::string("client_column_type") ? "STRING" : "";
    if (f != std::string("client_column_type")) {
      EXPECT_EQ(problem_of(validate("postgres", with("postgres", "tenancy", t)),
                           std::string("tenancy.") + f),
                "must not be empty");
    }
  }
  boost::json::object t = table_tenancy();
  t["client_column_type"] = "UUID";
  EXPECT_EQ(problem_of(validate("postgres", with("postgres", "tenancy", t)),
                       "tenancy.client_column_type"),
            "must be one of: NUMBER, STRING");
  t = table_tenancy();
  t["database_pattern"] = "client_{client}";
  t["client_allow_pattern"] = "^c_";
  const auto problems = validate("postgres", with("postgres", "tenancy", t));
  EXPECT_EQ(problem_of(problems, "tenancy.database_pattern"),
            "is only valid when tenancy.level is DATABASE");
  EXPECT_EQ(problem_of(problems, "tenancy.client_allow_pattern"),
            "is only valid when tenancy.level is DATABASE");
}

TEST(CatalogueTenancy, DatabaseLevel) {
  const boost::json::object ok = {{"level", "DATABASE"},
                                  {"database_pattern", "tenant_{client}"},
                                  {"client_allow_pattern", "^[a-z0-9_]+$"}};
  EXPECT_TRUE(validate("mysql", with("mysql", "tenancy", ok)).empty());
  EXPECT_TRUE(validate("mysql", with("mysql", "tenancy", {{"level", "DATABASE"}})).empty());

  // Every TABLE field is refused, one problem each.
  boost::json::object t = table_tenancy();
  t["level"] = "DATABASE";
  const auto problems = validate("postgres", with("postgres", "tenancy", t));
  for (const char* f : kTableFields)
    EXPECT_EQ(problem_of(problems, std::string("tenancy.") + f),
              "is only valid when tenancy.level is TABLE")
        << f;
  EXPECT_EQ(problem_of(problems, "tenancy.client_column"),
            "is only valid when tenancy.level is TABLE");
  EXPECT_EQ(problems.size(), 6u) << describe(problems);

  EXPECT_EQ(
      problem_of(validate("mysql", with("mysql", "tenancy",
                                        {{"level", "DATABASE"}, {"database_pattern", "db_"}})),
                 "tenancy.database_pattern"),
      "must contain {client}");
  EXPECT_NE(
      problem_of(validate("mysql", with("mysql", "tenancy",
                                        {{"level", "DATABASE"}, {"client_allow_pattern", "(["}})),
                 "tenancy.client_allow_pattern"),
      "");
}

TEST(CatalogueTenancy, LevelAndSupport) {
  EXPECT_EQ(problem_of(validate("postgres", with("postgres", "tenancy", {})), "tenancy.level"),
            "is required");
  EXPECT_EQ(problem_of(validate("postgres", with("postgres", "tenancy", {{"level", "ROW"}})),
                       "tenancy.level"),
            "must be one of: TABLE, DATABASE");
  for (const char* type : {"mongodb", "elasticsearch", "awss3", "csv"})
    EXPECT_EQ(problem_of(validate(type, with(type, "tenancy", table_tenancy())), "tenancy"),
              std::string("is not supported for type ") + type);
  for (const char* type : {"snowflake", "bigquery", "clickhouse", "mssql", "trino", "sqlite"})
    EXPECT_TRUE(validate(type, with(type, "tenancy", table_tenancy())).empty()) << type;
}

}  // namespace
}  // namespace dsb::drivers
