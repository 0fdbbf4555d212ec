// application/xml bodies: <item> with one element per field, nesting,
// repeated elements, and what is refused (other roots, DTD tricks, mixed
// content, deep nesting, bad UTF-8).
#include "server/codecs/xml_body.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace dsb::server::codecs {
namespace {

namespace json = boost::json;

void expect_bad(std::string_view body) {
  auto r = decode_xml(body);
  ASSERT_FALSE(r) << "decoded: " << body;
  EXPECT_EQ(r.error().status, 400);
  EXPECT_EQ(r.error().code, "INVALID_REQUEST_BODY");
  EXPECT_FALSE(r.error().message.empty());
}

// The body of the maiascore documents' application/xml example.
constexpr std::string_view kDocumentExample = R"(<?xml version="1.0" encoding="utf-8"?>
<item>
  <driver>mysql</driver>
  <host>string</host>
  <username>string</username>
  <password>string</password>
  <database>string</database>
  <port>string</port>
  <ssl>true</ssl>
  <keyfile>string</keyfile>
  <certificate>string</certificate>
  <sslCA>string</sslCA>
  <ssh>true</ssh>
  <sshHost>string</sshHost>
  <sshUsername>string</sshUsername>
  <sshPassword>string</sshPassword>
  <sshPort>string</sshPort>
  <sshIdentity>string</sshIdentity>
  <sshTunneling>true</sshTunneling>
</item>)";

TEST(XmlBody, TheDocumentsExampleDecodesFieldByField) {
  auto r = decode_xml(kDocumentExample);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->size(), 17u);
  EXPECT_EQ(r->at("driver"), "mysql");
  EXPECT_EQ(r->at("ssl"), "true");  // typed by the mapping, not the codec
  EXPECT_EQ(r->at("sshTunneling"), "true");
  EXPECT_EQ(r->at("sshIdentity"), "string");
}

TEST(XmlBody, TextIsKeptExactlyWithEscapesAndCdata) {
  auto r = decode_xml(
      "<item><password> a&amp;b&lt;&#233; </password>"
      "<keyfile><![CDATA[-----BEGIN <KEY>-----]]></keyfile><empty/></item>");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->at("password"), " a&b<é ");
  EXPECT_EQ(r->at("keyfile"), "-----BEGIN <KEY>-----");
  EXPECT_EQ(r->at("empty"), "");
}

TEST(XmlBody, NestedElementsAreObjectsAndRepeatsAreArrays) {
  auto r =
      decode_xml("<item><ssh><host>b</host><port>22</port></ssh><tag>x</tag><tag>y</tag></item>");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, json::parse(R"({"ssh":{"host":"b","port":"22"},"tag":["x","y"]})"));
}

TEST(XmlBody, AttributesAndCommentsAreIgnored) {
  auto r = decode_xml("<item kind='x'><!-- note --><host id='1'>h</host></item>");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, json::parse(R"({"host":"h"})"));
}

TEST(XmlBody, AnotherRootIsRefused) {
  auto r = decode_xml("<datasource><host>h</host></datasource>");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("<item>"), std::string::npos) << r.error().message;
  EXPECT_TRUE(decode_xml("<datasource><host>h</host></datasource>", "datasource"));
}

TEST(XmlBody, EntitiesFromADtdAreNeverExpanded) {
  // No DOCTYPE is read, so neither external files nor entity bombs come in.
  auto r = decode_xml(
      "<?xml version='1.0'?><!DOCTYPE item [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
      "<item><host>&x;</host></item>");
  if (r) {
    EXPECT_EQ(r->at("host").as_string().find("root:"), std::string::npos);
  }
  auto bomb = decode_xml(
      "<!DOCTYPE item [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;'>]>"
      "<item><host>&b;</host></item>");
  if (bomb) {
    EXPECT_LT(bomb->at("host").as_string().size(), 100u);
  }
}

TEST(XmlBody, MalformedBodiesAre400) {
  expect_bad("");
  expect_bad("not xml");
  expect_bad("<item><host>h</item>");
  expect_bad("<item>text<host>h</host></item>");
  expect_bad("<item>loose text</item>");
  expect_bad("<item><a>x<b>y</b></a></item>");
  expect_bad("<item><host>\xC3\x28</host></item>");
  std::string deep = "<item>";
  for (int i = 0; i < 20; ++i) deep += "<a>";
  deep += "x";
  for (int i = 0; i < 20; ++i) deep += "</a>";
  expect_bad(deep + "</item>");
}

}  // namespace
}  // namespace dsb::server::codecs
