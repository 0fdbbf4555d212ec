// application/x-www-form-urlencoded bodies: decoding, repeated names, and
// the 400 every malformed body gets.
#include "server/codecs/form_body.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace dsb::server::codecs {
namespace {

namespace json = boost::json;

void expect_bad(std::string_view body) {
  auto r = decode_form(body);
  ASSERT_FALSE(r) << "decoded: " << body;
  EXPECT_EQ(r.error().status, 400);
  EXPECT_EQ(r.error().code, "INVALID_REQUEST_BODY");
  EXPECT_FALSE(r.error().message.empty());
}

TEST(FormBody, FieldsDecodeToStrings) {
  auto r =
      decode_form("driver=mysql&host=db.example.com&port=3306&ssl=true&password=p%40ss+w%26rd");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, json::parse(R"({"driver":"mysql","host":"db.example.com","port":"3306",)"
                            R"("ssl":"true","password":"p@ss w&rd"})"));
}

TEST(FormBody, NamesAreDecodedToo) {
  auto r = decode_form("ssh%48ost=bastion&a+b=c");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->at("sshHost"), "bastion");
  EXPECT_EQ(r->at("a b"), "c");
}

TEST(FormBody, RepeatedNamesBecomeArraysInOrder) {
  auto r = decode_form("x=1&y=2&x=3&x=4");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, json::parse(R"({"x":["1","3","4"],"y":"2"})"));
}

TEST(FormBody, NameWithoutValueIsEmptyString) {
  auto r = decode_form("sslCA&keyfile=&host=h");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->at("sslCA"), "");
  EXPECT_EQ(r->at("keyfile"), "");
}

TEST(FormBody, EmptyPiecesAndTrailingNewlineAreIgnored) {
  auto r = decode_form("a=1&&b=2&\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, json::parse(R"({"a":"1","b":"2"})"));
}

TEST(FormBody, Utf8EscapesDecode) {
  auto r = decode_form("name=caf%C3%A9");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->at("name"), "café");
}

TEST(FormBody, MalformedBodiesAre400) {
  expect_bad("");
  expect_bad("   \n");
  expect_bad("a=%zz");        // bad escape
  expect_bad("a=%4");         // truncated escape
  expect_bad("=value");       // no name
  expect_bad("a=%00");        // NUL
  expect_bad("a=%C3%28");     // invalid UTF-8
  expect_bad("a=%ED%A0%80");  // a UTF-16 surrogate
  expect_bad("a b=c");        // a raw space is not form encoding
}

}  // namespace
}  // namespace dsb::server::codecs
