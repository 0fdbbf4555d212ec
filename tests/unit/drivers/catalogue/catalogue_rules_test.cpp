// Type-specific rules: conditional requirements and formats.
#include "tests/unit/drivers/catalogue/test_bodies.hpp"

namespace dsb::drivers {
namespace {

using test::describe;
using test::erase_path;
using test::minimal;
using test::problem_of;
using test::set_path;
using test::validate;

const char* const kKey = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

// ---- snowflake ----

TEST(CatalogueSnowflake, PasswordAuthNeedsPassword) {
  boost::json::object body = minimal("snowflake");
  body.erase("password");
  EXPECT_EQ(problem_of(validate("snowflake", body), "password"),
            "is required when options.auth_type is \"username/password\"");
  set_path(body, "options.auth_type", "username/password");
  EXPECT_NE(problem_of(validate("snowflake", body), "password"), "");
  body["login_id"] = "login-1";
  body.erase("username");
  EXPECT_TRUE(validate("snowflake", body).empty()) << describe(validate("snowflake", body));
}

TEST(CatalogueSnowflake, PasswordAuthRefusesKeyPairFields) {
  boost::json::object body = minimal("snowflake");
  set_path(body, "options.private_key", kKey);
  set_path(body, "options.private_key_passphrase", "pp");
  const auto problems = validate("snowflake", body);
  EXPECT_EQ(problem_of(problems, "options.private_key"),
            "is only valid when options.auth_type is \"Key-pair authentication\"");
  EXPECT_NE(problem_of(problems, "options.private_key_passphrase"), "");
}

TEST(CatalogueSnowflake, KeyPairAuth) {
  boost::json::object body = minimal("snowflake");
  body.erase("password");
  set_path(body, "options.auth_type", "Key-pair authentication");
  EXPECT_EQ(problem_of(validate("snowflake", body), "options.private_key"),
            "is required when options.auth_type is \"Key-pair authentication\"");
  set_path(body, "options.private_key", kKey);
  set_path(body, "options.private_key_passphrase", "pp");
  EXPECT_TRUE(validate("snowflake", body).empty()) << describe(validate("snowflake", body));

  set_path(body, "options.private_key", "MIIEvQ");
  EXPECT_NE(problem_of(validate("snowflake", body), "options.private_key"), "");

  set_path(body, "options.private_key", kKey);
  body["password"] = "p";
  EXPECT_EQ(problem_of(validate("snowflake", body), "password"),
            "is only valid when options.auth_type is \"username/password\"");
  body.erase("password");
  body["login_id"] = "login-1";
  EXPECT_NE(problem_of(validate("snowflake", body), "login_id"), "");

  set_path(body, "options.auth_type", "oauth");
  EXPECT_EQ(problem_of(validate("snowflake", body), "options.auth_type"),
            "must be one of: username/password, Key-pair authentication");
}

TEST(CatalogueSnowflake, AccountFormat) {
  boost::json::object body = minimal("snowflake");
  for (const char* good : {"xy12345.us-east-1", "acme-prod", "acme.snowflakecomputing.com"}) {
    set_path(body, "options.account", good);
    EXPECT_TRUE(validate("snowflake", body).empty()) << good;
  }
  set_path(body, "options.account", "https://acme.snowflakecomputing.com/");
  EXPECT_NE(problem_of(validate("snowflake", body), "options.account"), "");
}

// ---- elasticsearch / opensearch ----

TEST(CatalogueSearch, CloudNeedsCloudIdAndApiKey) {
  for (const char* type : {"elasticsearch", "opensearch"}) {
    for (const char* server : {"elastic-cloud", "open-cloud"}) {
      boost::json::object body;
      set_path(body, "options.server_type", server);
      const auto problems = validate(type, body);
      EXPECT_NE(problem_of(problems, "options.cloud_id"), "") << type << server;
      EXPECT_NE(problem_of(problems, "options.api_key"), "");
      EXPECT_EQ(problem_of(problems, "host"), "");
    }
  }
}

TEST(CatalogueSearch, CloudRefusesSelfManagedFields) {
  boost::json::object body = minimal("elasticsearch");
  body["host"] = "es";
  body["port"] = 9200;
  body["username"] = "u";
  set_path(body, "options.disable_auth", false);
  const auto problems = validate("elasticsearch", body);
  for (const char* f : {"host", "port", "username", "options.disable_auth"})
    EXPECT_EQ(problem_of(problems, f), "is only valid when options.server_type is \"self-managed\"")
        << f;
}

TEST(CatalogueSearch, SelfManaged) {
  boost::json::object body = minimal("opensearch");
  EXPECT_TRUE(validate("opensearch", body).empty());
  body.erase("host");
  EXPECT_EQ(problem_of(validate("opensearch", body), "host"),
            "is required when options.server_type is \"self-managed\"");

  body = minimal("elasticsearch");
  set_path(body, "options.server_type", "self-managed");
  erase_path(body, "options.cloud_id");
  erase_path(body, "options.api_key");
  body["host"] = "es.internal";
  auto problems = validate("elasticsearch", body);
  EXPECT_EQ(problem_of(problems, "username"), "is required when options.disable_auth is false");
  EXPECT_NE(problem_of(problems, "password"), "");

  set_path(body, "options.disable_auth", true);
  EXPECT_TRUE(validate("elasticsearch", body).empty()) << describe(validate("elasticsearch", body));
  body["username"] = "u";
  EXPECT_EQ(problem_of(validate("elasticsearch", body), "username"),
            "is only valid when options.disable_auth is false");

  body.erase("username");
  set_path(body, "options.cloud_id", "dep:abc");
  EXPECT_NE(problem_of(validate("elasticsearch", body), "options.cloud_id"), "");
}

TEST(CatalogueSearch, DisableAuthOnlyForSelfManaged) {
  boost::json::object body = minimal("opensearch");
  set_path(body, "options.server_type", "open-cloud");
  set_path(body, "options.cloud_id", "x");
  set_path(body, "options.api_key", "k");
  body.erase("host");
  body.erase("username");
  body.erase("password");
  set_path(body, "options.disable_auth", true);
  EXPECT_EQ(problem_of(validate("opensearch", body), "options.disable_auth"),
            "is only valid when options.server_type is \"self-managed\"");
}

TEST(CatalogueSearch, TlsOnlyForSelfManaged) {
  boost::json::object body = minimal("elasticsearch");
  body["tls"] = {{"mode", "verify-full"}};
  EXPECT_NE(problem_of(validate("elasticsearch", body), "tls"), "");
  body = minimal("opensearch");
  body["tls"] = {{"mode", "verify-full"}};
  EXPECT_TRUE(validate("opensearch", body).empty());
}

// ---- bigquery ----

TEST(CatalogueBigQuery, ServiceAccountMustBeAJsonObject) {
  for (const char* bad : {"not json", "[1,2]", "\"str\"", "{\"a\":"}) {
    boost::json::object body = minimal("bigquery");
    set_path(body, "options.service_account_json", bad);
    EXPECT_EQ(problem_of(validate("bigquery", body), "options.service_account_json"),
              "must be a JSON object (the key file's text)")
        << bad;
  }
}

TEST(CatalogueBigQuery, DatasetLocation) {
  boost::json::object body = minimal("bigquery");
  for (const char* good : {"US", "EU", "us-central1", "asia-northeast1"}) {
    set_path(body, "options.dataset_location", good);
    EXPECT_TRUE(validate("bigquery", body).empty()) << good;
  }
  set_path(body, "options.dataset_location", "us central");
  EXPECT_NE(problem_of(validate("bigquery", body), "options.dataset_location"), "");
}

// ---- aws ----

TEST(CatalogueAws, Region) {
  for (const char* good : {"us-east-1", "eu-central-2", "us-gov-west-1", "ap-southeast-4"}) {
    boost::json::object body = minimal("awss3");
    set_path(body, "options.region", good);
    EXPECT_TRUE(validate("awss3", body).empty()) << good;
  }
  for (const char* bad :
       {"useast1", "US-EAST-1", "us-east", "us-east-1a", "s3.us-east-1", "us--1"}) {
    boost::json::object body = minimal("athena");
    set_path(body, "options.region", bad);
    EXPECT_EQ(problem_of(validate("athena", body), "options.region"),
              "must be an AWS region such as us-east-1")
        << bad;
  }
  boost::json::object body = minimal("athena");
  set_path(body, "options.region", "");
  EXPECT_EQ(problem_of(validate("athena", body), "options.region"), "must not be empty");
}

TEST(CatalogueAws, BucketAndOutputLocation) {
  boost::json::object body = minimal("awss3");
  for (const char* bad : {"My_Bucket", "ab", "-bucket", "a..b"}) {
    set_path(body, "options.bucket", bad);
    EXPECT_NE(problem_of(validate("awss3", body), "options.bucket"), "") << bad;
  }
  set_path(body, "options.bucket", "logs.example-1");
  set_path(body, "options.object_type", "Folder");
  set_path(body, "options.path", "2024/");
  EXPECT_TRUE(validate("awss3", body).empty());

  body = minimal("athena");
  set_path(body, "options.s3_output_location", "https://bucket/out");
  EXPECT_NE(problem_of(validate("athena", body), "options.s3_output_location"), "");
}

// ---- csv / sqlite ----

TEST(CatalogueFiles, PathMustStayUnderTheRoot) {
  for (const char* type : {"csv", "sqlite"}) {
    for (const char* bad :
         {"../secrets.csv", "/etc/passwd", "a/../../b", "a/..", "..", "~/x", ""}) {
      boost::json::object body = minimal(type);
      set_path(body, "options.path", bad);
      EXPECT_NE(problem_of(validate(type, body), "options.path"), "") << type << " " << bad;
    }
    for (const char* good : {"a.csv", "dir/sub/file.db", "..hidden/x", "a/b..c"}) {
      boost::json::object body = minimal(type);
      set_path(body, "options.path", good);
      EXPECT_TRUE(validate(type, body).empty()) << type << " " << good;
    }
    EXPECT_EQ(problem_of(validate(type, minimal(type), ValidationContext{}), "options.path"),
              "cannot be used: this server has no file root configured");
  }
}

TEST(CatalogueFiles, CsvDelimiterAndHeader) {
  boost::json::object body = minimal("csv");
  for (const char* good : {",", ";", "\t", "|"}) {
    set_path(body, "options.delimiter", good);
    EXPECT_TRUE(validate("csv", body).empty()) << good;
  }
  for (const char* bad : {"", ",,", "\n", "\"", "\xC3\xA9"}) {
    set_path(body, "options.delimiter", bad);
    EXPECT_NE(problem_of(validate("csv", body), "options.delimiter"), "") << bad;
  }
  set_path(body, "options.delimiter", ",");
  set_path(body, "options.has_header", "true");
  EXPECT_EQ(problem_of(validate("csv", body), "options.has_header"), "must be a boolean");
}

// ---- others ----

TEST(CatalogueOthers, MongoSrvTakesNoPort) {
  boost::json::object body = minimal("mongodb");
  set_path(body, "options.srv", true);
  set_path(body, "options.replica_set", "rs0");
  set_path(body, "options.auth_source", "admin");
  EXPECT_TRUE(validate("mongodb", body).empty());
  body["port"] = 27017;
  EXPECT_EQ(problem_of(validate("mongodb", body), "port"),
            "is only valid when options.srv is false");
}

TEST(CatalogueOthers, ClickHouseProtocolMustMatchTls) {
  boost::json::object body = minimal("clickhouse");
  set_path(body, "options.protocol", "http");
  body["tls"] = {{"mode", "verify-full"}};
  EXPECT_EQ(problem_of(validate("clickhouse", body), "options.protocol"),
            "conflicts with tls.mode");
  set_path(body, "options.protocol", "https");
  EXPECT_TRUE(validate("clickhouse", body).empty());
  set_path(body, "options.protocol", "ftp");
  EXPECT_EQ(problem_of(validate("clickhouse", body), "options.protocol"),
            "must be one of: http, https");
}

TEST(CatalogueOthers, DatabricksHttpPath) {
  boost::json::object body = minimal("databricks");
  set_path(body, "options.http_path", "sql/1.0/warehouses/abc");
  EXPECT_NE(problem_of(validate("databricks", body), "options.http_path"), "");
  body = minimal("databricks");
  body["host"] = "https://adb-1.azuredatabricks.net";
  EXPECT_NE(problem_of(validate("databricks", body), "host"), "");
}

TEST(CatalogueOthers, TrinoPasswordOptionalAndSslSwitch) {
  boost::json::object body = minimal("trino");
  set_path(body, "options.ssl", "enable");
  set_path(body, "options.catalog", "hive");
  body["schema"] = "default";
  EXPECT_TRUE(validate("trino", body).empty());
  set_path(body, "options.ssl", "yes");
  EXPECT_EQ(problem_of(validate("trino", body), "options.ssl"), "must be one of: enable, disable");
}

TEST(CatalogueOthers, MssqlUsesCommonPaths) {
  boost::json::object body = minimal("mssql");
  body["schema"] = "dbo";
  body["port"] = 1433;
  EXPECT_TRUE(validate("mssql", body).empty());
  body["server"] = "x";  // the Databrain name is mapped by the API layer, not accepted here
  EXPECT_EQ(problem_of(validate("mssql", body), "server"), "unknown field");
}

}  // namespace
}  // namespace dsb::drivers
