#include "tests/integration/broker_fixture.hpp"

namespace dsb::test {

void BrokerTest::start(BrokerOptions opts) {
  broker_.reset();
  opts.data_dir = dir_.path();
  broker_ = std::make_unique<BrokerProcess>(std::move(opts));
  ASSERT_TRUE(broker_->running());
  ASSERT_NE(broker_->port(), 0);
}

std::unique_ptr<HttpClient> BrokerTest::client(const std::string& bearer) const {
  auto c = std::make_unique<HttpClient>("127.0.0.1", broker_->port());
  if (!bearer.empty()) c->set_bearer(bearer);
  return c;
}

OrgAccess BrokerTest::create_org(const std::string& name) {
  auto r = admin()->post("/v1/orgs", json::object{{"name", name}});
  EXPECT_EQ(r.status, 201) << r.body;
  const auto v = r.json();
  if (!v.is_object()) return {};
  return {str(v.at("org"), "id"), name, str(v.at("token"), "token"), str(v.at("token"), "id")};
}

BrokerOptions without_rate_limit() {
  BrokerOptions o;
  o.env["DSB_LIMITS_REQUESTS_PER_WINDOW"] = "10000000";
  return o;
}

json::object pg_body(const std::string& name, const std::string& password) {
  return {{"name", name},         {"type", "postgres"},  {"host", "db.internal"},
          {"port", 5432},         {"database", "sales"}, {"schema", "public"},
          {"username", "report"}, {"password", password}};
}

std::string ds_path(const std::string& id) {
  return "/v1/datasources/" + id + "?test=false";
}

json::object create_datasource(HttpClient& c, const json::object& body) {
  auto r = c.post("/v1/datasources?test=false", body);
  EXPECT_EQ(r.status, 201) << r.body;
  const auto v = r.json();
  return v.is_object() ? v.as_object() : json::object{};
}

void expect_error(const HttpResult& r, int status, const std::string& code) {
  EXPECT_EQ(r.status, status) << r.body;
  const auto v = r.json();
  ASSERT_TRUE(v.is_object()) << "not a JSON error: " << r.body;
  const auto& o = v.as_object();
  EXPECT_EQ(str(v, "code"), code) << r.body;
  EXPECT_FALSE(str(v, "message").empty()) << r.body;
  ASSERT_TRUE(o.contains("details") && o.at("details").is_array()) << r.body;
  EXPECT_FALSE(str(v, "request_id").empty()) << r.body;
  EXPECT_EQ(str(v, "request_id"), r.header("x-request-id")) << r.body;
}

bool has_detail(const HttpResult& r, const std::string& field) {
  const auto v = r.json();
  if (!v.is_object() || !v.as_object().contains("details")) return false;
  for (const auto& d : v.at("details").as_array())
    if (str(d, "field") == field) return true;
  return false;
}

std::string str(const json::value& v, const std::string& key) {
  if (!v.is_object()) return {};
  const auto* p = v.as_object().if_contains(key);
  return p != nullptr && p->is_string() ? std::string(p->as_string()) : std::string();
}

}  // namespace dsb::test
