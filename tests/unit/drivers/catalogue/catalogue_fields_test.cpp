// Generic field rules, checked over every field of every type: unknown
// fields, JSON types, required fields, allowed values, ports, lengths,
// secrets and login_id.
#include "tests/unit/drivers/catalogue/test_bodies.hpp"

#include <boost/json/serialize.hpp>

namespace dsb::drivers {
namespace {

using test::describe;
using test::minimal;
using test::problem_of;
using test::set_path;
using test::validate;

boost::json::value wrong_value(FieldKind kind) {
  switch (kind) {
    case FieldKind::string:
    case FieldKind::text:
      return 5;
    case FieldKind::integer:
      return "5432";
    case FieldKind::boolean:
      return "yes";
    case FieldKind::enumeration:
      return "no-such-value";
    case FieldKind::object:
      return "x";
  }
  return nullptr;
}

std::string wrong_type_problem(const FieldSpec& f) {
  switch (f.kind) {
    case FieldKind::string:
    case FieldKind::text:
      return "must be a string";
    case FieldKind::integer:
      return "must be an integer";
    case FieldKind::boolean:
      return "must be a boolean";
    case FieldKind::enumeration: {
      std::string s = "must be one of: ";
      for (std::size_t i = 0; i < f.allowed.size(); ++i) s += (i ? ", " : "") + f.allowed[i];
      return s;
    }
    case FieldKind::object:
      return "must be an object";
  }
  return {};
}

TEST(CatalogueFields, WrongJsonTypeNamesTheField) {
  for (const TypeEntry& e : all_types()) {
    for (const FieldSpec& f : e.fields) {
      boost::json::object body = minimal(e.name);
      set_path(body, f.path, wrong_value(f.kind));
      const auto problems = validate(e.name, body);
      EXPECT_EQ(problem_of(problems, f.path), wrong_type_problem(f))
          << e.name << " " << f.path << ": " << describe(problems);
    }
  }
}

TEST(CatalogueFields, MissingRequiredFieldNamesIt) {
  for (const TypeEntry& e : all_types()) {
    for (const FieldSpec& f : e.fields) {
      if (!f.required) continue;
      boost::json::object body = minimal(e.name);
      test::erase_path(body, f.path);
      const auto problems = validate(e.name, body);
      EXPECT_EQ(problem_of(problems, f.path), "is required") << e.name << " " << f.path;
    }
  }
}

TEST(CatalogueFields, NullSecretCountsAsAbsentNullOtherIsWrongType) {
  boost::json::object body = minimal("postgres");
  body["password"] = nullptr;
  EXPECT_EQ(problem_of(validate("postgres", body), "password"), "is required");

  body = minimal("postgres");
  body["host"] = nullptr;
  EXPECT_EQ(problem_of(validate("postgres", body), "host"), "must be a string");

  // An optional secret may be cleared.
  body = minimal("snowflake");
  set_path(body, "options.private_key_passphrase", nullptr);
  EXPECT_TRUE(validate("snowflake", body).empty()) << describe(validate("snowflake", body));
}

TEST(CatalogueFields, UnknownFieldsNameTheFullPath) {
  boost::json::object body = minimal("postgres");
  body["hostname"] = "x";
  set_path(body, "options.sslmode", "require");
  body["name"] = "n";  // the caller strips name/type; anything left is unknown
  const auto problems = validate("postgres", body);
  EXPECT_EQ(problem_of(problems, "hostname"), "unknown field");
  EXPECT_EQ(problem_of(problems, "options.sslmode"), "unknown field");
  EXPECT_EQ(problem_of(problems, "name"), "unknown field");
  EXPECT_EQ(problems.size(), 3u) << describe(problems);

  // A field of another type is unknown here.
  body = minimal("mysql");
  body["schema"] = "public";
  EXPECT_EQ(problem_of(validate("mysql", body), "schema"), "unknown field");
  body = minimal("csv");
  body["host"] = "x";
  EXPECT_EQ(problem_of(validate("csv", body), "host"), "unknown field");
}

TEST(CatalogueFields, OptionsMustBeAnObject) {
  boost::json::object body = minimal("postgres");
  body["options"] = "ssl";
  EXPECT_EQ(problem_of(validate("postgres", body), "options"), "must be an object");
  body["options"] = boost::json::object{};
  EXPECT_TRUE(validate("postgres", body).empty());
}

TEST(CatalogueFields, AllowedValues) {
  boost::json::object body = minimal("postgres");
  set_path(body, "options.ssl", "ENABLE");
  EXPECT_EQ(problem_of(validate("postgres", body), "options.ssl"),
            "must be one of: enable, disable");
  set_path(body, "options.ssl", "enable");
  EXPECT_TRUE(validate("postgres", body).empty());

  body = minimal("awss3");
  set_path(body, "options.object_type", "file");
  EXPECT_EQ(problem_of(validate("awss3", body), "options.object_type"),
            "must be one of: File, Folder");
}

TEST(CatalogueFields, PortRange) {
  for (const boost::json::value& bad :
       {boost::json::value(0), boost::json::value(-1), boost::json::value(65536),
        boost::json::value(std::uint64_t{1} << 63)}) {
    boost::json::object body = minimal("postgres");
    body["port"] = bad;
    EXPECT_EQ(problem_of(validate("postgres", body), "port"), "must be between 1 and 65535")
        << boost::json::serialize(bad);
  }
  for (const boost::json::value& bad :
       {boost::json::value("5432"), boost::json::value(5432.0), boost::json::value(true)}) {
    boost::json::object body = minimal("postgres");
    body["port"] = bad;
    EXPECT_EQ(problem_of(validate("postgres", body), "port"), "must be an integer");
  }
  for (int good : {1, 5432, 65535}) {
    boost::json::object body = minimal("postgres");
    body["port"] = good;
    EXPECT_TRUE(validate("postgres", body).empty()) << good;
  }
}

TEST(CatalogueFields, StringLimits) {
  boost::json::object body = minimal("postgres");
  body["host"] = std::string("db\0x", 4);
  EXPECT_EQ(problem_of(validate("postgres", body), "host"), "must not contain NUL bytes");
  body["host"] = std::string(4097, 'a');
  EXPECT_EQ(problem_of(validate("postgres", body), "host"), "must be at most 4096 bytes");
  body["host"] = std::string(4096, 'a');
  EXPECT_EQ(problem_of(validate("postgres", body), "host"), "");
  body["host"] = "";
  EXPECT_EQ(problem_of(validate("postgres", body), "host"), "must not be empty");

  body = minimal("postgres");
  body["password"] = std::string(4097, 'p');
  EXPECT_EQ(problem_of(validate("postgres", body), "password"), "must be at most 4096 bytes");
  body["password"] = "";  // an empty password is a value
  EXPECT_TRUE(validate("postgres", body).empty());

  // PEM and JSON secrets may be up to 64 KiB.
  body = minimal("bigquery");
  std::string big = R"({"type":"service_account","pad":")" + std::string(60000, 'x') + "\"}";
  set_path(body, "options.service_account_json", boost::json::value(big));
  EXPECT_TRUE(validate("bigquery", body).empty());
  set_path(body, "options.service_account_json", boost::json::value(std::string(65537, ' ')));
  EXPECT_EQ(problem_of(validate("bigquery", body), "options.service_account_json"),
            "must be at most 65536 bytes");
}

TEST(CatalogueFields, HostWithSchemeOrPath) {
  for (const char* bad : {"https://db.example.com", "db.example.com/x", "db example", "u@db"}) {
    boost::json::object body = minimal("postgres");
    body["host"] = bad;
    EXPECT_NE(problem_of(validate("postgres", body), "host"), "") << bad;
  }
  for (const char* good : {"db.example.com", "10.0.0.1", "::1", "fe80::1%eth0"}) {
    boost::json::object body = minimal("postgres");
    body["host"] = good;
    EXPECT_TRUE(validate("postgres", body).empty()) << good;
  }
}

TEST(CatalogueFields, LoginReplacesUsernameAndPassword) {
  boost::json::object body = minimal("postgres");
  body.erase("username");
  body.erase("password");
  body["login_id"] = "0190d7a2-7c1e-7000-8000-000000000001";
  EXPECT_TRUE(validate("postgres", body).empty()) << describe(validate("postgres", body));

  body["password"] = nullptr;  // clearing the old password while switching is fine
  EXPECT_TRUE(validate("postgres", body).empty());

  body["username"] = "u";
  auto problems = validate("postgres", body);
  EXPECT_EQ(problem_of(problems, "login_id"), "must not be combined with username or password");
  EXPECT_EQ(problems.size(), 1u) << describe(problems);

  body.erase("username");
  body["password"] = "p";
  EXPECT_EQ(problem_of(validate("postgres", body), "login_id"),
            "must not be combined with username or password");

  // Without login_id both are required.
  body = minimal("mysql");
  body.erase("username");
  EXPECT_EQ(problem_of(validate("mysql", body), "username"), "is required");
}

TEST(CatalogueFields, ProblemsNeverQuoteValues) {
  const std::string secret = "SUPERSECRETVALUE";
  boost::json::object body = minimal("bigquery");
  set_path(body, "options.service_account_json", boost::json::value(secret));
  boost::json::object pg = minimal("postgres");
  pg["tls"] = {{"mode", "verify-full"}, {"key", secret}, {"cert", secret}};
  pg["ssh"] = {{"enabled", true}, {"private_key", secret}, {"host_key_fingerprint", secret}};
  pg["host"] = "https://" + secret;
  for (const auto& [type, b] : {std::pair{"bigquery", body}, std::pair{"postgres", pg}}) {
    const auto problems = validate(type, b);
    EXPECT_FALSE(problems.empty());
    for (const FieldProblem& p : problems)
      EXPECT_EQ(p.problem.find(secret), std::string::npos) << p.field << ": " << p.problem;
  }
}

TEST(CatalogueFields, OneProblemPerField) {
  boost::json::object body = minimal("snowflake");
  set_path(body, "options.auth_type", "Key-pair authentication");
  set_path(body, "options.private_key", 5);  // wrong type, and also not PEM
  const auto problems = validate("snowflake", body);
  int count = 0;
  for (const FieldProblem& p : problems) count += p.field == "options.private_key";
  EXPECT_EQ(count, 1);
  EXPECT_EQ(problem_of(problems, "options.private_key"), "must be a string");
}

TEST(CatalogueFields, AppendsToExistingProblems) {
  std::vector<FieldProblem> problems{{"name", "is required"}};
  boost::json::object body = minimal("postgres");
  body.erase("host");
  validate_datasource(*find_type("postgres"), body, test::test_ctx(), problems);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].field, "name");
  EXPECT_EQ(problems[1].field, "host");
}

}  // namespace
}  // namespace dsb::drivers
