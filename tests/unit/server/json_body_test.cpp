// Request bodies: simdjson parsing into Boost.JSON, and the 400 each kind of
// bad body gets.
#include "server/json_body.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace dsb::server {
namespace {

namespace json = boost::json;

// The one detail of a failed parse: {field, problem}.
std::pair<std::string, std::string> problem_of(std::string_view body) {
  auto r = parse_json_body(body);
  EXPECT_FALSE(r) << "parsed: " << body;
  if (r) return {};
  EXPECT_EQ(r.error().status, 400);
  EXPECT_EQ(r.error().code, "INVALID_REQUEST_BODY");
  EXPECT_EQ(r.error().details.size(), 1u);
  if (r.error().details.empty()) return {};
  return {r.error().details[0].field, r.error().details[0].problem};
}

TEST(JsonBody, ValuesConvertFaithfully) {
  const std::string text =
      R"({"s":"é\u00e9\n","i":-42,"u":18446744073709551615,"big":9223372036854775807,)"
      R"("d":1.5,"e":1e300,"t":true,"f":false,"n":null,"a":[1,"x",{"k":[]}],"o":{"p":{"q":{}}}})";
  auto r = parse_json_body(text);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, json::parse(text));
  const auto& o = r->as_object();
  EXPECT_TRUE(o.at("i").is_int64());
  EXPECT_TRUE(o.at("u").is_uint64());
  EXPECT_TRUE(o.at("big").is_int64());
  EXPECT_TRUE(o.at("d").is_double());
  EXPECT_EQ(o.at("s"), "éé\n");
}

TEST(JsonBody, DuplicateKeysKeepTheLast) {
  auto r = parse_json_object(R"({"a":1,"a":2})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->at("a"), 2);
  EXPECT_EQ(r->size(), 1u);
}

TEST(JsonBody, EmptyBodies) {
  for (const char* body : {"", " ", "\r\n\t "}) {
    const auto [field, problem] = problem_of(body);
    EXPECT_EQ(field, "body");
    EXPECT_EQ(problem, "is required");
  }
}

TEST(JsonBody, SyntaxErrors) {
  for (const char* body : {"{", "{\"a\":", "{\"a\":1", "[1,2", "{\"a\":\"x}", "{a:1}", "{\"a\":1,}",
                           "nul", "tru", "{\"a\":1}}", "{} {}", "'x'", "{\"a\" 1}", "\"\\x\""}) {
    SCOPED_TRACE(body);
    EXPECT_EQ(problem_of(body).first, "body");
  }
}

TEST(JsonBody, NumbersOutOfRange) {
  for (const char* body : {"{\"p\":1e400}", "{\"p\":-1e400}", "{\"p\":18446744073709551616}",
                           "{\"p\":-9223372036854775809}"}) {
    SCOPED_TRACE(body);
    const auto [field, problem] = problem_of(body);
    EXPECT_EQ(field, "body");
    EXPECT_NE(problem.find("out of range"), std::string::npos) << problem;
  }
}

TEST(JsonBody, InvalidUtf8) {
  for (std::string bytes : {"\xff", "\xc3\x28", "\xe2\x82", "\xed\xa0\x80", "\xc0\xaf"}) {
    const auto [field, problem] = problem_of("{\"s\":\"" + bytes + "\"}");
    EXPECT_EQ(field, "body");
    EXPECT_EQ(problem, "is not valid UTF-8");
    EXPECT_EQ(problem_of("{\"" + bytes + "\":1}").second, "is not valid UTF-8");
  }
}

TEST(JsonBody, DeepNestingIsRefused) {
  const std::string deep = std::string(5000, '[') + std::string(5000, ']');
  EXPECT_EQ(problem_of(deep).first, "body");
  // Ordinary depth is fine, and the parser is reusable afterwards.
  const std::string ok = std::string(50, '[') + std::string(50, ']');
  EXPECT_TRUE(parse_json_body(ok));
  EXPECT_TRUE(parse_json_body("{\"after\":true}"));
}

TEST(JsonBody, ObjectRequired) {
  for (const char* body : {"[]", "1", "\"s\"", "null", "true"}) {
    auto r = parse_json_object(body);
    ASSERT_FALSE(r) << body;
    ASSERT_EQ(r.error().details.size(), 1u);
    EXPECT_EQ(r.error().details[0].field, "body");
    EXPECT_EQ(r.error().details[0].problem, "must be a JSON object");
  }
  auto good = parse_json_object(R"({"name":"x"})");
  ASSERT_TRUE(good);
  EXPECT_EQ(good->at("name"), "x");
  EXPECT_FALSE(parse_json_object(""));
}

TEST(JsonBody, EmbeddedNulsAreKept) {
  auto r = parse_json_object("{\"s\":\"a\\u0000b\"}");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->at("s").as_string().size(), 3u);
}

}  // namespace
}  // namespace dsb::server
