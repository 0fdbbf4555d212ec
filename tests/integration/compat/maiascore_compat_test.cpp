// maiascore /datasources (issue 9): every example request of its documents
// (000, 001, 003) replayed against the real PostgreSQL through the real SSH
// bastion with TLS, as JSON, XML, form-urlencoded and the curl snippet's
// JSON-under-the-form-type; each answer's shape compared with the example
// response; list, count, get, delete; 403/404/{code,message} errors; a
// failed test naming its stage.
#include "core/ids.hpp"
#include "tests/integration/compat/compat_fixture.hpp"
#include "tests/integration/compat/doc_examples.hpp"

#include <boost/json/serialize.hpp>

namespace dsb::test {
namespace {

// The secret fields maiascore's examples show and dsbroker leaves out.
const std::set<std::string> kSecrets = {"password", "keyfile", "sshPassword", "sshIdentity"};

std::string middle_line(const std::string& pem) {
  const auto first = pem.find('\n');
  return pem.substr(first + 1, pem.find('\n', first + 1) - first - 1);
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s)
    out += c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : std::string(1, c);
  return out;
}

std::string form_escape(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
      out += static_cast<char>(c);
    else if (c == ' ')
      out += '+';
    else
      out += std::string("%") + hex[c >> 4] + hex[c & 15];
  }
  return out;
}

class MaiascoreTest : public CompatTest {
 protected:
  void SetUp() override {
    CompatTest::SetUp();
    secrets_.insert(middle_line(tls_pem("client.key")));
    secrets_.insert(middle_line(ssh_key()));
  }

  // A document's example with every "string" pointed at the test servers:
  // PostgreSQL (TLS, verify-ca, client certificate) through the SSH bastion.
  json::object pointed(const std::string& example, const std::string& password = "testpass") {
    json::object o = parse_example(example).as_object();
    const std::map<std::string, std::string> values = {{"driver", "postgres"},
                                                       {"host", "127.0.0.1"},
                                                       {"username", "testuser"},
                                                       {"password", password},
                                                       {"database", "testdb"},
                                                       {"port", std::to_string(services().pg)},
                                                       {"keyfile", tls_pem("client.key")},
                                                       {"certificate", tls_pem("client.crt")},
                                                       {"sslCA", tls_pem("ca.crt")},
                                                       {"sshHost", "127.0.0.1"},
                                                       {"sshUsername", "sshtest"},
                                                       {"sshPassword", "testpass"},
                                                       {"sshPort", std::to_string(ssh_port())},
                                                       {"sshIdentity", ssh_key()}};
    for (const auto& [k, v] : values)
      if (o.contains(k)) o[k] = v;
    return o;
  }

  // The document's XML with each element's text replaced by the pointed value.
  std::string pointed_xml(const std::string& password = "testpass") {
    const json::object values = pointed(doc::kMaiascoreRequest, password);
    std::string xml = doc::kMaiascoreXmlRequest;
    for (const auto& kv : values) {
      const std::string open = "<" + std::string(kv.key()) + ">";
      const auto at = xml.find(open);
      const auto end = xml.find("</", at);
      const std::string text = kv.value().is_string() ? std::string(kv.value().as_string())
                                                      : json::serialize(kv.value());
      xml.replace(at + open.size(), end - at - open.size(), xml_escape(text));
    }
    return xml;
  }

  std::string pointed_form(const std::string& password = "testpass") {
    std::string form;
    for (const auto& kv : pointed(doc::kMaiascoreRequest, password)) {
      const std::string text = kv.value().is_string() ? std::string(kv.value().as_string())
                                                      : json::serialize(kv.value());
      form += (form.empty() ? "" : "&") + std::string(kv.key()) + "=" + form_escape(text);
    }
    return form;
  }

  // Checks a 200 record against the document's response and the request it answered.
  void expect_record(const HttpResult& r, const char* example = doc::kMaiascoreResponse,
                     const std::set<std::string>& extra = {}) {
    ASSERT_EQ(r.status, 200) << r.body;
    const json::value v = r.json();
    expect_same_shape(parse_example(example), v, kSecrets, extra);
    EXPECT_TRUE(looks_like_uuid(str(v, "id"))) << r.body;
    EXPECT_EQ(str(v, "driver"), "postgres");
    EXPECT_EQ(str(v, "host"), "127.0.0.1");
    EXPECT_EQ(str(v, "port"), std::to_string(services().pg));
    EXPECT_EQ(str(v, "sshPort"), std::to_string(ssh_port()));
    EXPECT_EQ(v.at("ssl"), true);
    EXPECT_EQ(v.at("ssh"), true);
    EXPECT_EQ(v.at("sshTunneling"), true);
    EXPECT_EQ(str(v, "sslCA"), tls_pem("ca.crt"));
    EXPECT_TRUE(maiascore_time_format(str(v, "published_at"))) << str(v, "published_at");
    EXPECT_FALSE(str(v, "created_by").empty());
    // What the native API sees: tested through the tunnel with TLS, schema cached.
    auto native = api().get("/v1/datasources/" + str(v, "id"));
    ASSERT_EQ(native.status, 200) << native.body;
    const json::value n = native.json();
    EXPECT_EQ(str(n, "status"), "ok") << native.body;
    EXPECT_EQ(str(n.at("tls"), "mode"), "verify-ca");
    EXPECT_EQ(n.at("ssh").at("enabled"), true);
    EXPECT_EQ(n.at("tls").at("key"), (json::object{{"set", true}}));
    EXPECT_EQ(n.at("ssh").at("private_key"), (json::object{{"set", true}}));
    EXPECT_TRUE(n.at("schema_info").is_object()) << native.body;
  }

  std::string create_plain() {
    json::object body{{"driver", "postgres"},
                      {"host", "127.0.0.1"},
                      {"port", std::to_string(services().pg_plain)},
                      {"username", "testuser"},
                      {"password", "testpass"},
                      {"database", "testdb"},
                      {"ssl", false},
                      {"ssh", false}};
    auto r = send_json("POST", "/datasources", body);
    EXPECT_EQ(r.status, 200) << r.body;
    return str(r.json(), "id");
  }
};

TEST_F(MaiascoreTest, Doc001JsonExampleCreatesTestsAndAnswersTheDocumentedRecord) {
  expect_record(send_json("POST", "/datasources", pointed(doc::kMaiascoreRequest)));
}

TEST_F(MaiascoreTest, Doc000ExampleWithAuditFieldsIgnoresThem) {
  auto r = send_json("POST", "/datasources", pointed(doc::kMaiascore000Request));
  // 000's response shows no created_by/updated_by; 001 added them.
  expect_record(r, doc::kMaiascore000Response, {"created_by", "updated_by"});
  EXPECT_NE(str(r.json(), "created_by"), "string");  // the server's, not the client's
  EXPECT_NE(str(r.json(), "published_at"), "2019-08-24T14:15:22Z");
}

TEST_F(MaiascoreTest, Doc001XmlExample) {
  expect_record(send("POST", "/datasources", pointed_xml(), "application/xml"));
}

TEST_F(MaiascoreTest, Doc001FormExample) {
  expect_record(send("POST", "/datasources", pointed_form(), "application/x-www-form-urlencoded"));
}

TEST_F(MaiascoreTest, Doc001CurlSnippetJsonUnderTheFormContentType) {
  json::object data = pointed(doc::kMaiascoreCurlData);
  expect_record(
      send("POST", "/datasources", json::serialize(data), "application/x-www-form-urlencoded"));
}

TEST_F(MaiascoreTest, Doc003PutExamplesUpdateAndTestInEveryFormat) {
  const std::string id = create_plain();
  ASSERT_FALSE(id.empty());
  const std::string target = "/datasources/" + id;
  auto put_json = send_json("PUT", target, pointed(doc::kMaiascoreRequest));
  expect_record(put_json);
  EXPECT_EQ(str(put_json.json(), "id"), id);
  expect_record(send("PUT", target, pointed_xml(), "application/xml"));
  expect_record(send("PUT", target, pointed_form(), "application/x-www-form-urlencoded"));
  expect_record(send("PUT", target, json::serialize(pointed(doc::kMaiascoreCurlData)),
                     "application/x-www-form-urlencoded"));
  EXPECT_EQ(api().get("/v1/datasources/" + id).json().at("version"), 5);
}

TEST_F(MaiascoreTest, PutIsAPartialUpdateAndAFailedTestChangesNothing) {
  const std::string id = create_plain();
  auto r =
      send("PUT", "/datasources/" + id, "database=postgres", "application/x-www-form-urlencoded");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(str(r.json(), "database"), "postgres");
  EXPECT_EQ(str(r.json(), "host"), "127.0.0.1");  // untouched fields stay
  secrets_.insert("Wrong-Pw-9d1c");
  auto bad = send("PUT", "/datasources/" + id, "<item><password>Wrong-Pw-9d1c</password></item>",
                  "application/xml");
  ASSERT_EQ(bad.status, 400) << bad.body;
  expect_same_shape(parse_example(doc::kMaiascoreError), bad.json());
  EXPECT_EQ(bad.json().at("code"), 400);
  EXPECT_NE(str(bad.json(), "message").find("authenticate"), std::string::npos) << bad.body;
  auto after = send("GET", "/datasources/" + id, "", "");
  EXPECT_EQ(str(after.json(), "database"), "postgres");
  EXPECT_EQ(api().get("/v1/datasources/" + id).json().at("version"), 2);
}

TEST_F(MaiascoreTest, ListCountGetDelete) {
  const std::string a = create_plain();
  const std::string b = create_plain();
  auto list = send("GET", "/datasources", "", "");
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_TRUE(list.json().is_array());
  ASSERT_EQ(list.json().as_array().size(), 2u);
  const json::value items = list.json();
  for (const auto& item : items.as_array())
    expect_same_shape(parse_example(doc::kMaiascoreResponse), item, kSecrets);
  EXPECT_EQ(str(list.json().as_array()[0], "id"), a);
  auto page = send("GET", "/datasources?_start=1&_limit=5", "", "");
  ASSERT_EQ(page.json().as_array().size(), 1u);
  EXPECT_EQ(str(page.json().as_array()[0], "id"), b);
  auto count = send("GET", "/datasources/count", "", "");
  ASSERT_EQ(count.status, 200) << count.body;
  EXPECT_EQ(count.body, "2");
  EXPECT_EQ(send("GET", "/datasources/count?driver=mysql", "", "").body, "0");
  auto one = send("GET", "/datasources/" + a, "", "");
  ASSERT_EQ(one.status, 200);
  expect_same_shape(parse_example(doc::kMaiascoreResponse), one.json(), kSecrets);
  auto gone = send("DELETE", "/datasources/" + a, "", "");
  ASSERT_EQ(gone.status, 200) << gone.body;
  EXPECT_EQ(str(gone.json(), "id"), a);
  auto missing = send("GET", "/datasources/" + a, "", "");
  ASSERT_EQ(missing.status, 404);
  expect_same_shape(parse_example(doc::kMaiascoreError), missing.json());
  EXPECT_EQ(missing.json().at("code"), 404);
  EXPECT_EQ(send("DELETE", "/datasources/" + a, "", "").status, 404);
  EXPECT_EQ(
      send("PUT", "/datasources/%7Bid%7D", "host=x", "application/x-www-form-urlencoded").status,
      404);
  EXPECT_EQ(send("GET", "/datasources/count", "", "").body, "1");
}

TEST_F(MaiascoreTest, MissingOrBadTokenIs403) {
  const std::string none;
  const std::string bad = "dsb_not_a_token";
  for (const std::string* token : {&none, &bad}) {
    for (auto [method, target] :
         {std::pair{"GET", "/datasources"}, std::pair{"POST", "/datasources"},
          std::pair{"GET", "/datasources/count"}, std::pair{"DELETE", "/datasources/x"}}) {
      auto r = send(method, target, "", "", token);
      ASSERT_EQ(r.status, 403) << method << " " << target << " " << r.body;
      expect_same_shape(parse_example(doc::kMaiascoreError), r.json());
      EXPECT_EQ(r.json().at("code"), 403);
      EXPECT_FALSE(str(r.json(), "message").empty());
    }
  }
  // Another org's datasource does not exist for this one.
  const std::string id = create_plain();
  const std::string other = create_org("globex");
  EXPECT_EQ(send("GET", "/datasources/" + id, "", "", &other).status, 404);
}

TEST_F(MaiascoreTest, ErrorsAreCodeAndMessageAndATestFailureNamesItsStage) {
  json::object body{
      {"driver", "postgres"},   {"host", "127.0.0.1"},    {"port", std::to_string(closed_port())},
      {"username", "testuser"}, {"password", "testpass"}, {"database", "testdb"}};
  auto refused = send_json("POST", "/datasources", body);
  ASSERT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(refused.json().at("code"), 400);
  EXPECT_NE(str(refused.json(), "message").find("tcp_connect"), std::string::npos) << refused.body;
  EXPECT_EQ(send("GET", "/datasources/count", "", "").body, "0");  // nothing stored

  auto no_driver = send("POST", "/datasources", "host=h", "application/x-www-form-urlencoded");
  ASSERT_EQ(no_driver.status, 400);
  EXPECT_NE(str(no_driver.json(), "message").find("driver: is required"), std::string::npos)
      << no_driver.body;
  auto unknown =
      send_json("POST", "/datasources", json::object{{"driver", "postgres"}, {"colour", "red"}});
  EXPECT_NE(str(unknown.json(), "message").find("colour: unknown field"), std::string::npos)
      << unknown.body;
  auto bad_port =
      send("POST", "/datasources", "<item><driver>postgres</driver><port>many</port></item>",
           "application/xml");
  EXPECT_NE(str(bad_port.json(), "message").find("port: must be a port number"), std::string::npos);
  auto bad_bool = send("POST", "/datasources", "driver=postgres&ssl=maybe",
                       "application/x-www-form-urlencoded");
  EXPECT_NE(str(bad_bool.json(), "message").find("ssl: must be true or false"), std::string::npos);
  auto bad_xml = send("POST", "/datasources", "<item><host>", "application/xml");
  EXPECT_EQ(bad_xml.status, 400);
  EXPECT_EQ(bad_xml.json().at("code"), 400);
  auto media = send("POST", "/datasources", "host=h", "text/plain");
  EXPECT_EQ(media.status, 415);
  EXPECT_EQ(media.json().at("code"), 415);
  // A CA that is not the server's: TLS names its stage.
  json::object wrong_ca = pointed(doc::kMaiascoreRequest);
  wrong_ca["sslCA"] = tls_pem("other-ca.crt");
  wrong_ca["ssh"] = false;
  wrong_ca["sshTunneling"] = false;
  auto tls = send_json("POST", "/datasources", wrong_ca);
  ASSERT_EQ(tls.status, 400) << tls.body;
  EXPECT_NE(str(tls.json(), "message").find("tls_handshake"), std::string::npos) << tls.body;
}

TEST_F(MaiascoreTest, SecretsAreLeftOutButKeptAcrossUpdates) {
  auto made = send_json("POST", "/datasources", pointed(doc::kMaiascoreRequest));
  ASSERT_EQ(made.status, 200) << made.body;
  const std::string id = str(made.json(), "id");
  // Echoing the record back (without secrets) keeps the stored ones: the test still passes.
  json::object echoed = made.json().as_object();
  auto again = send_json("PUT", "/datasources/" + id, echoed);
  expect_record(again);
}

}  // namespace
}  // namespace dsb::test
