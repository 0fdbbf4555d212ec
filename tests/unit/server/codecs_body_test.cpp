// Choosing the codec by Content-Type, including the vendors' own curl that
// sends JSON under the form content type.
#include "server/codecs/body_codec.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace dsb::server::codecs {
namespace {

namespace json = boost::json;

constexpr std::string_view kCurlBody =
    R"({"driver":"mysql","host":"string","username":"string","password":"string","database":"string",)"
    R"("port":"string","ssl":true,"keyfile":"string","certificate":"string","sslCA":"string","ssh":true,)"
    R"("sshHost":"string","sshUsername":"string","sshPassword":"string","sshPort":"string",)"
    R"("sshIdentity":"string","sshTunneling":true})";

TEST(BodyCodec, FormatOfContentType) {
  EXPECT_EQ(format_of("application/json"), BodyFormat::json);
  EXPECT_EQ(format_of("Application/JSON; charset=utf-8"), BodyFormat::json);
  EXPECT_EQ(format_of("application/vnd.api+json"), BodyFormat::json);
  EXPECT_EQ(format_of("application/xml"), BodyFormat::xml);
  EXPECT_EQ(format_of("text/xml; charset=UTF-8"), BodyFormat::xml);
  EXPECT_EQ(format_of("application/atom+xml"), BodyFormat::xml);
  EXPECT_EQ(format_of("application/x-www-form-urlencoded"), BodyFormat::form);
  EXPECT_EQ(format_of(" application/x-www-form-urlencoded ;charset=utf-8"), BodyFormat::form);
  EXPECT_EQ(format_of("text/plain"), std::nullopt);
  EXPECT_EQ(format_of("multipart/form-data; boundary=x"), std::nullopt);
  EXPECT_EQ(format_of(""), std::nullopt);
}

TEST(BodyCodec, TheDocumentsCurlJsonUnderTheFormTypeIsReadAsJson) {
  auto r = decode_body("application/x-www-form-urlencoded", kCurlBody);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, json::parse(kCurlBody));
  EXPECT_TRUE(r->at("ssl").is_bool());
}

TEST(BodyCodec, EachFormatDecodesToTheSameFields) {
  auto j = decode_body("application/json", R"({"host":"h","port":"1"})");
  auto x = decode_body("application/xml", "<item><host>h</host><port>1</port></item>");
  auto f = decode_body("application/x-www-form-urlencoded", "host=h&port=1");
  ASSERT_TRUE(j && x && f);
  EXPECT_EQ(*j, *x);
  EXPECT_EQ(*j, *f);
}

TEST(BodyCodec, WithoutContentTypeTheBodyIsRecognised) {
  EXPECT_TRUE(decode_body("", R"({"a":1})"));
  EXPECT_EQ(decode_body("", "<item><a>1</a></item>")->at("a"), "1");
  EXPECT_EQ(decode_body("", "a=1")->at("a"), "1");
}

TEST(BodyCodec, OtherTypesAre415) {
  auto r = decode_body("text/plain", "host=h");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, 415);
  EXPECT_EQ(r.error().code, "UNSUPPORTED_MEDIA_TYPE");
}

TEST(BodyCodec, BadBodiesAre400InEveryFormat) {
  for (auto [type, body] :
       {std::pair{"application/json", "{"}, std::pair{"application/json", "[1]"},
        std::pair{"application/xml", "<item>"},
        std::pair{"application/x-www-form-urlencoded", "a=%G0"},
        std::pair{"application/x-www-form-urlencoded", "{not json"}}) {
    auto r = decode_body(type, body);
    ASSERT_FALSE(r) << type << " " << body;
    EXPECT_EQ(r.error().status, 400) << type << " " << body;
  }
}

}  // namespace
}  // namespace dsb::server::codecs
