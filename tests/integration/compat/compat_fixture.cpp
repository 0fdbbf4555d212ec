#include "tests/integration/compat/compat_fixture.hpp"

#include "tests/support/test_env.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <regex>

namespace dsb::test {

namespace {

std::string kind_of(const json::value& v) {
  switch (v.kind()) {
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "number";
    case json::kind::bool_:
      return "boolean";
    case json::kind::string:
      return "string";
    case json::kind::object:
      return "object";
    case json::kind::array:
      return "array";
    case json::kind::null:
      return "null";
  }
  return "?";
}

}  // namespace

void CompatTest::TearDown() {
  for (const auto& response : transcript())
    for (const auto& secret : secrets_)
      EXPECT_EQ(response.find(secret), std::string::npos) << "secret in a response:\n" << response;
  for (const auto& secret : secrets_)
    EXPECT_EQ(output().find(secret), std::string::npos) << "secret in the broker's output";
}

HttpResult CompatTest::send(const std::string& method, const std::string& target,
                            const std::string& body, const std::string& content_type,
                            const std::string* bearer) {
  HttpClient http("127.0.0.1", port());
  std::map<std::string, std::string> headers;
  if (!content_type.empty()) headers["Content-Type"] = content_type;
  const std::string& token = bearer != nullptr ? *bearer : org_token_;
  if (!token.empty()) headers["Authorization"] = "Bearer " + token;
  HttpResult r = http.request(method, target, body, headers);
  std::string entry = std::to_string(r.status) + "\n";
  for (const auto& [k, v] : r.headers) entry += k + ": " + v + "\n";
  transcript_.push_back(entry + "\n" + r.body);
  return r;
}

HttpResult CompatTest::send_json(const std::string& method, const std::string& target,
                                 const json::value& body) {
  return send(method, target, json::serialize(body), "application/json");
}

std::string CompatTest::mstr_login() {
  const std::string none;
  auto r = send("POST", "/api/auth/login",
                json::serialize(json::object{{"username", "acme"}, {"password", org_token_}}),
                "application/json", &none);
  EXPECT_EQ(r.status, 204) << r.body;
  return r.header("x-mstr-authtoken");
}

HttpResult CompatTest::mstr(const std::string& method, const std::string& target,
                            const std::string& token, const json::value& body) {
  HttpClient http("127.0.0.1", port());
  std::map<std::string, std::string> headers;
  if (!token.empty()) headers["X-MSTR-AuthToken"] = token;
  std::string text;
  if (!body.is_null()) {
    text = json::serialize(body);
    headers["Content-Type"] = "application/json";
  }
  HttpResult r = http.request(method, target, text, headers);
  std::string entry = std::to_string(r.status) + "\n";
  for (const auto& [k, v] : r.headers) entry += k + ": " + v + "\n";
  transcript_.push_back(entry + "\n" + r.body);
  return r;
}

std::string CompatTest::org_id() {
  auto r = client(admin_token_)->get("/v1/orgs");
  const auto v = r.json();
  if (v.is_object() && v.as_object().contains("items"))
    for (const auto& o : v.at("items").as_array())
      if (str(o, "name") == "acme") return str(o, "id");
  ADD_FAILURE() << "org acme not listed: " << r.body;
  return {};
}

void expect_same_shape(const json::value& example, const json::value& actual,
                       const std::set<std::string>& left_out, const std::set<std::string>& extra,
                       const std::string& where) {
  if (kind_of(example) != kind_of(actual)) {
    ADD_FAILURE() << where << ": the document shows a " << kind_of(example) << ", the answer has a "
                  << kind_of(actual) << ": " << json::serialize(actual);
    return;
  }
  if (!example.is_object()) return;
  const auto& want = example.as_object();
  const auto& got = actual.as_object();
  for (const auto& kv : want) {
    const std::string key(kv.key());
    const json::value* v = got.if_contains(kv.key());
    if (left_out.count(key) != 0) {
      EXPECT_EQ(v, nullptr) << where << "." << key << " must be left out";
      continue;
    }
    if (v == nullptr) {
      ADD_FAILURE() << where << "." << key << " is missing: " << json::serialize(actual);
      continue;
    }
    expect_same_shape(kv.value(), *v, left_out, extra, where + "." + key);
  }
  for (const auto& kv : got) {
    const std::string key(kv.key());
    if (!want.contains(kv.key()) && extra.count(key) == 0)
      ADD_FAILURE() << where << "." << key << " is not in the document's example";
  }
  if (where != "$") return;
  for (const auto& key : extra) {
    EXPECT_TRUE(got.contains(key)) << key << " expected";
  }
}

json::value parse_example(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  EXPECT_FALSE(ec) << "not JSON: " << text;
  return v;
}

std::uint16_t ssh_port() {
  return require_port("DSB_TEST_SSH_PORT");
}

std::string ssh_key() {
  return read_file(require_env("DSB_TEST_SSH_DIR") + "/id_ed25519");
}

bool upper_hex(const std::string& s, std::size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
         });
}

bool mstr_time_format(const std::string& s) {
  static const std::regex re(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000)");
  return std::regex_match(s, re);
}

bool maiascore_time_format(const std::string& s) {
  static const std::regex re(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)");
  return std::regex_match(s, re);
}

}  // namespace dsb::test
