// Dotted paths into JSON objects, and RFC 7386 merge patch.
#include "core/json_path.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace dsb {
namespace {

namespace json = boost::json;

json::object obj(std::string_view text) {
  return json::parse(text).as_object();
}

TEST(JsonPath, Find) {
  const auto o = obj(R"({"host":"h","ssh":{"port":22,"key":{"pem":"x"}},"list":[1]})");
  ASSERT_NE(find_path(o, "host"), nullptr);
  EXPECT_EQ(*find_path(o, "host"), "h");
  EXPECT_EQ(*find_path(o, "ssh.port"), 22);
  EXPECT_EQ(*find_path(o, "ssh.key.pem"), "x");
  EXPECT_TRUE(find_path(o, "ssh")->is_object());
  EXPECT_EQ(find_path(o, "absent"), nullptr);
  EXPECT_EQ(find_path(o, "ssh.absent"), nullptr);
  EXPECT_EQ(find_path(o, "host.deeper"), nullptr);  // through a non-object
  EXPECT_EQ(find_path(o, "list.0"), nullptr);
}

TEST(JsonPath, SetCreatesAndReplaces) {
  json::object o;
  set_path(o, "a", 1);
  set_path(o, "ssh.password", "p");
  set_path(o, "ssh.port", 22);
  EXPECT_EQ(o, obj(R"({"a":1,"ssh":{"password":"p","port":22}})"));
  set_path(o, "a.b", true);  // a non-object in the way is replaced
  EXPECT_EQ(o.at("a"), json::value(json::object{{"b", true}}));
  set_path(o, "ssh.port", nullptr);
  EXPECT_TRUE(o.at("ssh").at("port").is_null());
}

TEST(JsonPath, Erase) {
  auto o = obj(R"({"a":1,"ssh":{"password":"p","port":22},"s":"x"})");
  EXPECT_TRUE(erase_path(o, "ssh.password"));
  EXPECT_FALSE(erase_path(o, "ssh.password"));
  EXPECT_FALSE(erase_path(o, "s.deeper"));
  EXPECT_FALSE(erase_path(o, "nothing.here"));
  EXPECT_TRUE(erase_path(o, "a"));
  EXPECT_EQ(o, obj(R"({"ssh":{"port":22},"s":"x"})"));
}

// RFC 7386 appendix A, the cases whose target and patch are objects.
TEST(MergePatch, Rfc7386Examples) {
  const std::vector<std::tuple<const char*, const char*, const char*>> cases = {
      {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
      {R"({"a":"b"})", R"({"a":null})", R"({})"},
      {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
      {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
      {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
      {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
      {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
      {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
      {R"({"a":"x"})", R"({"a":{"b":1}})", R"({"a":{"b":1}})"},
      {R"({"a":1})", R"({})", R"({"a":1})"},
  };
  for (const auto& [target, patch, want] : cases) {
    auto t = obj(target);
    merge_patch(t, obj(patch));
    EXPECT_EQ(t, obj(want)) << target << " + " << patch << " = " << json::serialize(t);
  }
}

TEST(MergePatch, NestedNullRemovesOnlyThatKey) {
  auto t = obj(R"({"tls":{"mode":"require","ca":"pem"},"options":{"ssl":"enable","x":1}})");
  merge_patch(t, obj(R"({"tls":{"ca":null},"options":{"ssl":null}})"));
  EXPECT_EQ(t, obj(R"({"tls":{"mode":"require"},"options":{"x":1}})"));
}

}  // namespace
}  // namespace dsb
