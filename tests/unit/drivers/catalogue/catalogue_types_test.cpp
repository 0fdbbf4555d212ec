// The registry: every type, lookups, families, secret paths, defaults and
// the GET /v1/types JSON.
#include "tests/unit/drivers/catalogue/test_bodies.hpp"

#include <algorithm>
#include <set>

namespace dsb::drivers {
namespace {

using test::minimal;
using test::validate;

const std::vector<std::string> kAllNames = {
    "postgres", "redshift",  "cockroachdb", "mysql",      "singlestore",   "clickhouse", "mssql",
    "mongodb",  "snowflake", "bigquery",    "databricks", "elasticsearch", "opensearch", "awss3",
    "csv",      "firebolt",  "athena",      "trino",      "sqlite"};

TEST(Catalogue, EveryTypePresentInOrderAndFindable) {
  std::vector<std::string> names;
  for (const TypeEntry& e : all_types()) names.push_back(e.name);
  EXPECT_EQ(names, kAllNames);
  for (const std::string& n : kAllNames) {
    const TypeEntry* e = find_type(n);
    ASSERT_NE(e, nullptr) << n;
    EXPECT_EQ(e->name, n);
    EXPECT_FALSE(e->label.empty()) << n;
    EXPECT_FALSE(e->fields.empty()) << n;
  }
}

TEST(Catalogue, AliasesAndUnknownNames) {
  ASSERT_NE(find_type("mariadb"), nullptr);
  EXPECT_EQ(find_type("mariadb")->name, "mysql");
  EXPECT_EQ(find_type("MySQL")->name, "mysql");
  EXPECT_EQ(find_type("postgresql")->name, "postgres");
  EXPECT_EQ(find_type("nope"), nullptr);
  EXPECT_EQ(find_type(""), nullptr);
  EXPECT_EQ(find_type("postgres "), nullptr);
}

TEST(Catalogue, FamiliesAndConnectable) {
  const std::map<std::string, std::string> family = {
      {"postgres", "postgres"}, {"redshift", "postgres"}, {"cockroachdb", "postgres"},
      {"mysql", "mysql"},       {"singlestore", "mysql"}, {"clickhouse", "clickhouse"},
      {"csv", "csv"},           {"sqlite", "sqlite"}};
  for (const TypeEntry& e : all_types()) {
    const auto it = family.find(e.name);
    EXPECT_EQ(e.family, it == family.end() ? "" : it->second) << e.name;
    EXPECT_EQ(e.connectable, it != family.end()) << e.name;
  }
}

TEST(Catalogue, DefaultPorts) {
  const std::map<std::string, int> ports = {
      {"postgres", 5432},    {"redshift", 5439},      {"cockroachdb", 26257}, {"mysql", 3306},
      {"singlestore", 3306}, {"clickhouse", 8123},    {"mssql", 1433},        {"mongodb", 27017},
      {"trino", 8080},       {"elasticsearch", 9200}, {"opensearch", 9200},   {"databricks", 443},
      {"firebolt", 443}};
  for (const auto& [name, port] : ports) EXPECT_EQ(find_type(name)->default_port, port) << name;
}

TEST(Catalogue, TlsAndSshSupport) {
  const std::set<std::string> ssh = {"postgres", "redshift",    "cockroachdb",
                                     "mysql",    "singlestore", "clickhouse",
                                     "mssql",    "mongodb",     "trino"};
  std::set<std::string> tls = ssh;
  tls.insert({"elasticsearch", "opensearch"});
  for (const TypeEntry& e : all_types()) {
    EXPECT_EQ(e.supports_ssh, ssh.count(e.name) == 1) << e.name;
    EXPECT_EQ(e.supports_tls, tls.count(e.name) == 1) << e.name;
  }
}

TEST(Catalogue, FieldPathsAreUniqueAndWellFormed) {
  for (const TypeEntry& e : all_types()) {
    std::set<std::string> seen;
    for (const FieldSpec& f : e.fields) {
      EXPECT_TRUE(seen.insert(f.path).second) << e.name << " " << f.path;
      EXPECT_FALSE(f.description.empty()) << e.name << " " << f.path;
      const bool top = f.path.find('.') == std::string::npos;
      EXPECT_TRUE(top || f.path.rfind("options.", 0) == 0) << f.path;
      if (f.kind == FieldKind::enumeration) {
        EXPECT_FALSE(f.allowed.empty()) << f.path;
      }
      if (!f.default_value.empty()) {
        EXPECT_NO_THROW((void)boost::json::parse(f.default_value)) << f.path;
      }
    }
  }
}

TEST(Catalogue, VendorNames) {
  auto vendor = [](const char* type, const char* path) {
    for (const FieldSpec& f : find_type(type)->fields)
      if (f.path == path) return f.vendor_name;
    return std::string("<missing>");
  };
  EXPECT_EQ(vendor("mssql", "host"), "server");
  EXPECT_EQ(vendor("mssql", "username"), "user");
  EXPECT_EQ(vendor("postgres", "host"), "host");
  EXPECT_EQ(vendor("postgres", "options.ssl"), "ssl");
  EXPECT_EQ(vendor("elasticsearch", "options.disable_auth"), "disableAuth");
  EXPECT_EQ(vendor("opensearch", "options.disable_auth"), "disableAuth");
  EXPECT_EQ(vendor("snowflake", "options.warehouse"), "warehouse");
}

TEST(Catalogue, SecretPaths) {
  using V = std::vector<std::string>;
  auto sorted = [](V v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  EXPECT_EQ(sorted(secret_paths(*find_type("postgres"))),
            sorted({"password", "tls.key", "ssh.password", "ssh.private_key", "ssh.passphrase"}));
  EXPECT_EQ(sorted(secret_paths(*find_type("snowflake"))),
            sorted({"password", "options.private_key", "options.private_key_passphrase"}));
  EXPECT_EQ(secret_paths(*find_type("bigquery")), V{"options.service_account_json"});
  EXPECT_EQ(sorted(secret_paths(*find_type("elasticsearch"))),
            sorted({"options.api_key", "password", "tls.key"}));
  EXPECT_EQ(secret_paths(*find_type("databricks")), V{"options.access_token"});
  EXPECT_EQ(secret_paths(*find_type("firebolt")), V{"options.client_secret"});
  EXPECT_EQ(secret_paths(*find_type("athena")), V{"options.secret_access_key"});
  EXPECT_EQ(secret_paths(*find_type("awss3")), V{"options.secret_access_key"});
  EXPECT_TRUE(secret_paths(*find_type("csv")).empty());
  EXPECT_TRUE(secret_paths(*find_type("sqlite")).empty());
  // Every field marked secret is listed, for every type.
  for (const TypeEntry& e : all_types()) {
    const V paths = secret_paths(e);
    for (const FieldSpec& f : e.fields)
      EXPECT_EQ(std::count(paths.begin(), paths.end(), f.path), f.secret ? 1 : 0) << f.path;
  }
}

TEST(Catalogue, JsonListsTypesConnectableAndSecrets) {
  const boost::json::value j = catalogue_json();
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.as_array().size(), kAllNames.size());
  std::set<std::string> connectable;
  for (const boost::json::value& t : j.as_array()) {
    const boost::json::object& o = t.as_object();
    for (const char* key : {"name", "label", "aliases", "default_port", "connectable", "fields"})
      EXPECT_TRUE(o.contains(key)) << key;
    if (o.at("connectable").as_bool()) connectable.insert(std::string(o.at("name").as_string()));
  }
  EXPECT_EQ(connectable, (std::set<std::string>{"postgres", "redshift", "cockroachdb", "mysql",
                                                "singlestore", "clickhouse", "csv", "sqlite"}));

  const boost::json::object& pg = j.as_array()[0].as_object();
  EXPECT_EQ(pg.at("name").as_string(), "postgres");
  EXPECT_EQ(pg.at("default_port").to_number<int>(), 5432);
  std::map<std::string, boost::json::object> fields;
  for (const boost::json::value& f : pg.at("fields").as_array())
    fields[std::string(f.at("path").as_string())] = f.as_object();
  EXPECT_TRUE(fields.at("password").at("secret").as_bool());
  EXPECT_TRUE(fields.at("password").at("required").as_bool());
  EXPECT_FALSE(fields.at("host").at("secret").as_bool());
  EXPECT_TRUE(fields.at("tls.key").at("secret").as_bool());
  EXPECT_TRUE(fields.at("ssh.private_key").at("secret").as_bool());
  EXPECT_EQ(fields.at("port").at("default").to_number<int>(), 5432);
  EXPECT_EQ(fields.at("port").at("kind").as_string(), "integer");
  EXPECT_EQ(fields.at("options.ssl").at("kind").as_string(), "enumeration");
  EXPECT_EQ(fields.at("options.ssl").at("allowed").as_array().size(), 2u);
  EXPECT_TRUE(fields.at("host").at("default").is_null());
  EXPECT_TRUE(fields.count("tenancy.level"));
}

TEST(Catalogue, ApplyDefaults) {
  boost::json::object pg = minimal("postgres");
  apply_defaults(*find_type("postgres"), pg);
  EXPECT_EQ(pg.at("port").to_number<int>(), 5432);
  EXPECT_FALSE(pg.contains("options"));  // options.ssl has no default

  boost::json::object kept = minimal("mysql");
  kept["port"] = 3307;
  apply_defaults(*find_type("mysql"), kept);
  EXPECT_EQ(kept.at("port").to_number<int>(), 3307);

  boost::json::object csv = minimal("csv");
  apply_defaults(*find_type("csv"), csv);
  EXPECT_EQ(csv.at("options").at("delimiter").as_string(), ",");
  EXPECT_TRUE(csv.at("options").at("has_header").as_bool());
  EXPECT_FALSE(csv.contains("port"));

  boost::json::object sf = minimal("snowflake");
  apply_defaults(*find_type("snowflake"), sf);
  EXPECT_EQ(sf.at("options").at("auth_type").as_string(), "username/password");

  boost::json::object bq = minimal("bigquery");
  apply_defaults(*find_type("bigquery"), bq);
  EXPECT_EQ(bq.at("options").at("dataset_location").as_string(), "US");

  boost::json::object ath = minimal("athena");
  apply_defaults(*find_type("athena"), ath);
  EXPECT_EQ(ath.at("options").at("workgroup").as_string(), "primary");
  EXPECT_EQ(ath.at("options").at("catalog").as_string(), "AwsDataCatalog");
}

TEST(Catalogue, ConditionalDefaults) {
  boost::json::object es = minimal("elasticsearch");  // elastic-cloud
  apply_defaults(*find_type("elasticsearch"), es);
  EXPECT_FALSE(es.contains("port"));
  EXPECT_FALSE(es.at("options").as_object().contains("disable_auth"));

  boost::json::object os = minimal("opensearch");  // self-managed
  apply_defaults(*find_type("opensearch"), os);
  EXPECT_EQ(os.at("port").to_number<int>(), 9200);
  EXPECT_FALSE(os.at("options").at("disable_auth").as_bool());

  boost::json::object mongo = minimal("mongodb");
  mongo["options"] = {{"srv", true}};
  apply_defaults(*find_type("mongodb"), mongo);
  EXPECT_FALSE(mongo.contains("port"));

  boost::json::object ch = minimal("clickhouse");
  apply_defaults(*find_type("clickhouse"), ch);
  EXPECT_EQ(ch.at("port").to_number<int>(), 8123);
  EXPECT_EQ(ch.at("options").at("protocol").as_string(), "http");

  boost::json::object chs = minimal("clickhouse");
  chs["tls"] = {{"mode", "verify-full"}};
  apply_defaults(*find_type("clickhouse"), chs);
  EXPECT_EQ(chs.at("port").to_number<int>(), 8443);
  EXPECT_EQ(chs.at("options").at("protocol").as_string(), "https");

  boost::json::object tunnel = minimal("postgres");
  tunnel["ssh"] = {{"enabled", true}, {"host", "bastion"}, {"username", "u"}, {"password", "p"}};
  apply_defaults(*find_type("postgres"), tunnel);
  EXPECT_EQ(tunnel.at("ssh").at("port").to_number<int>(), 22);
}

TEST(Catalogue, EveryMinimalBodyIsValidBeforeAndAfterDefaults) {
  ASSERT_EQ(test::minimal_bodies().size(), kAllNames.size());
  for (const std::string& name : kAllNames) {
    boost::json::object body = minimal(name);
    EXPECT_EQ(test::describe(validate(name, body)), "") << name;
    apply_defaults(*find_type(name), body);
    EXPECT_EQ(test::describe(validate(name, body)), "") << name << " after defaults";
  }
}

TEST(Catalogue, AliasValidatesLikeItsType) {
  EXPECT_TRUE(validate("mariadb", minimal("mysql")).empty());
}

TEST(Catalogue, EntryBuiltByCallerUsesGenericRules) {
  TypeEntry custom;
  custom.name = "custom";
  FieldSpec host;
  host.path = "host";
  host.required = true;
  custom.fields = {host};
  std::vector<FieldProblem> problems;
  validate_datasource(custom, boost::json::object{}, test::test_ctx(), problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].field, "host");
}

}  // namespace
}  // namespace dsb::drivers
