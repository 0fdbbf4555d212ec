// What the broker tells operators: one JSON access-log line per request (and
// never a secret), Prometheus metrics, health and readiness, the OpenAPI
// document; and that secrets never come back in any response body.
#include "tests/integration/broker_fixture.hpp"

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

namespace dsb::test {
namespace {

using LogsMetricsTest = BrokerTest;

// The access-log lines of `output` by request id (other lines skipped).
std::map<std::string, std::vector<json::object>> access_lines(const std::string& output) {
  std::map<std::string, std::vector<json::object>> out;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    boost::system::error_code ec;
    auto v = json::parse(line, ec);
    if (ec || !v.is_object() || !v.as_object().contains("request_id")) continue;
    out[str(v, "request_id")].push_back(v.as_object());
  }
  return out;
}

struct Expected {
  std::string method;
  std::string route;
  int status;
  std::string org;
};

TEST_F(LogsMetricsTest, OneJsonLinePerRequestAndNoSecrets) {
  const std::string ssh_secret = "ssh-pw-c0ffee-4242";
  std::map<std::string, Expected> want;  // request id -> line
  std::vector<std::string> bodies;       // every response body
  auto note = [&](const HttpResult& r, std::string method, std::string route, std::string org) {
    bodies.push_back(r.body);
    want[r.header("x-request-id")] = {std::move(method), std::move(route), r.status,
                                      std::move(org)};
  };
  auto a = admin();
  auto org_r = a->post("/v1/orgs", json::object{{"name", "acme"}});
  ASSERT_EQ(org_r.status, 201);
  note(org_r, "POST", "/v1/orgs", "");
  const std::string org_id = str(org_r.json().at("org"), "id");
  const std::string token = str(org_r.json().at("token"), "token");
  auto c = client(token);

  json::object body = pg_body("logged");
  body["ssh"] = json::object{
      {"enabled", true}, {"host", "bastion"}, {"username", "jump"}, {"password", ssh_secret}};
  auto made = c->post("/v1/datasources?test=false", body);
  ASSERT_EQ(made.status, 201) << made.body;
  note(made, "POST", "/v1/datasources", org_id);
  const std::string id = str(made.json(), "id");
  note(c->get("/v1/datasources/" + id), "GET", "/v1/datasources/{id}", org_id);
  note(c->get("/v1/datasources"), "GET", "/v1/datasources", org_id);
  note(c->patch(ds_path(id), json::object{{"password", std::string(kPassword) + "-2"}}), "PATCH",
       "/v1/datasources/{id}", org_id);
  note(c->put(ds_path(id), body), "PUT", "/v1/datasources/{id}", org_id);
  // Failures echo nothing secret either.
  json::object bad = pg_body("bad", kPassword);
  bad["port"] = "nope";
  note(c->post("/v1/datasources?test=false", bad), "POST", "/v1/datasources", org_id);
  note(c->post("/v1/datasources?test=false", pg_body("logged")), "POST", "/v1/datasources", org_id);
  note(c->request("POST", "/v1/datasources?test=false",
                  "{\"password\":\"" + std::string(kPassword) + "\", \"name\": "),
       "POST", "/v1/datasources", org_id);
  auto tok = c->post("/v1/tokens", json::object{{"name", "second"}});
  note(tok, "POST", "/v1/tokens", org_id);
  const std::string token2 = str(tok.json(), "token");
  note(client(token2)->get("/v1/tokens"), "GET", "/v1/tokens", org_id);
  note(client(token + "x")->get("/v1/datasources"), "GET", "/v1/datasources", "");
  note(client()->get("/healthz"), "GET", "/healthz", "");
  note(c->get("/no/such/route"), "GET", "(unmatched)", "");
  note(c->del("/v1/datasources/" + id), "DELETE", "/v1/datasources/{id}", org_id);

  // Lines are written just after the response; give them a moment.
  std::map<std::string, std::vector<json::object>> lines;
  for (int i = 0; i < 200; ++i) {
    lines = access_lines(broker_->output());
    bool all = true;
    for (const auto& [rid, _] : want) all = all && lines.contains(rid);
    if (all) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::regex time_re("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z");
  for (const auto& [rid, e] : want) {
    SCOPED_TRACE(e.method + " " + e.route + " " + rid);
    ASSERT_FALSE(rid.empty());
    ASSERT_EQ(lines[rid].size(), 1u) << "one line per request";
    const auto& l = lines[rid][0];
    EXPECT_EQ(str(l, "method"), e.method);
    EXPECT_EQ(str(l, "route"), e.route);
    EXPECT_EQ(l.at("status"), json::value(e.status));
    EXPECT_EQ(str(l, "org"), e.org);
    EXPECT_TRUE(l.at("duration_ms").is_number());
    EXPECT_TRUE(std::regex_match(str(l, "time"), time_re)) << str(l, "time");
  }
  EXPECT_EQ(lines.size(), want.size()) << "a request without a line, or a line without a request";

  const std::string output = broker_->output();
  for (const std::string& secret : {std::string(kPassword), std::string(kPassword) + "-2",
                                    ssh_secret, token, token2, broker_->admin_token()}) {
    EXPECT_EQ(output.find(secret), std::string::npos) << "the log shows a secret: " << secret;
    if (secret == token || secret == token2) continue;  // tokens are shown once, on creation
    for (const auto& b : bodies)
      EXPECT_EQ(b.find(secret), std::string::npos) << "a response shows a secret: " << b;
  }
}

TEST_F(LogsMetricsTest, SecretsAreNotStoredInClear) {
  const std::string secret = "pw-at-rest-7d1e9a3b5c";
  const auto org = create_org("acme");
  auto c = client(org.token);
  create_datasource(*c, pg_body("at-rest", secret));
  ASSERT_EQ(broker_->stop(), 0);
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir_.path())) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(data.find(secret), std::string::npos) << e.path() << " holds the password in clear";
    EXPECT_EQ(data.find(org.token), std::string::npos) << e.path() << " holds a token in clear";
  }
}

// The value of the first metric line starting with `prefix` (-1 when none).
double metric(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) return std::stod(line.substr(line.rfind(' ') + 1));
  return -1;
}

TEST_F(LogsMetricsTest, MetricsCountRequestsByRouteTemplate) {
  const auto org = create_org("acme");
  auto c = client(org.token);
  const std::string id = str(create_datasource(*c, pg_body("m")), "id");
  constexpr int kGets = 7;
  for (int i = 0; i < kGets; ++i) ASSERT_EQ(c->get("/v1/datasources/" + id).status, 200);
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(
        c->get("/v1/datasources/01890000-0000-7000-8000-00000000000" + std::to_string(i)).status,
        404);
  auto m = c->get("/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.header("content-type").rfind("text/plain", 0), 0u) << m.header("content-type");
  const std::string& t = m.body;
  EXPECT_EQ(
      metric(
          t,
          "dsb_http_requests_total{route=\"/v1/datasources/{id}\",method=\"GET\",status=\"200\"}"),
      kGets)
      << t;
  EXPECT_EQ(
      metric(
          t,
          "dsb_http_requests_total{route=\"/v1/datasources/{id}\",method=\"GET\",status=\"404\"}"),
      3)
      << t;
  EXPECT_EQ(
      metric(t,
             "dsb_http_requests_total{route=\"/v1/datasources\",method=\"POST\",status=\"201\"}"),
      1)
      << t;
  EXPECT_EQ(metric(t, "dsb_http_request_duration_seconds_count{route=\"/v1/datasources/{id}\"}"),
            kGets + 3)
      << t;
  EXPECT_EQ(
      metric(
          t,
          "dsb_http_request_duration_seconds_bucket{route=\"/v1/datasources/{id}\",le=\"+Inf\"}"),
      kGets + 3)
      << t;
  EXPECT_NE(t.find("# TYPE dsb_http_requests_total counter"), std::string::npos);
  EXPECT_NE(t.find("# TYPE dsb_http_request_duration_seconds histogram"), std::string::npos);
  EXPECT_NE(t.find("# TYPE dsb_open_connections gauge"), std::string::npos);
  EXPECT_GE(metric(t, "dsb_shard_queue_depth{shard=\"0\"}"), 0) << t;
  EXPECT_GE(metric(t, "dsb_shard_queue_depth{shard=\"1\"}"), 0) << t;
  // Ids never become labels.
  EXPECT_EQ(t.find(id), std::string::npos);
  EXPECT_EQ(t.find(org.id), std::string::npos);
}

TEST_F(LogsMetricsTest, OpenConnectionsGaugeFollowsClients) {
  auto watcher = client();
  auto gauge = [&] { return metric(watcher->get("/metrics").body, "dsb_open_connections "); };
  const double base = gauge();
  EXPECT_GE(base, 1);
  {
    std::vector<std::unique_ptr<HttpClient>> extra;
    for (int i = 0; i < 5; ++i) {
      extra.push_back(client());
      ASSERT_EQ(extra.back()->get("/healthz").status, 200);
    }
    EXPECT_EQ(gauge(), base + 5);
  }
  // Closed by the clients: the gauge comes back down.
  double now = -1;
  for (int i = 0; i < 200 && now != base; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    now = gauge();
  }
  EXPECT_EQ(now, base);
}

TEST_F(LogsMetricsTest, HealthReadinessAndOpenApi) {
  auto c = client();
  auto h = c->get("/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(str(h.json(), "status"), "ok");
  auto r = c->get("/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(str(r.json(), "store"), "open");
  auto o = c->get("/openapi.json");
  ASSERT_EQ(o.status, 200);
  EXPECT_EQ(o.header("content-type"), "application/json");
  const auto doc = o.json();
  ASSERT_TRUE(doc.is_object()) << "not JSON: " << o.body.substr(0, 200);
  EXPECT_EQ(str(doc, "openapi").rfind("3.1", 0), 0u);
}

TEST_F(LogsMetricsTest, OpenApiDescribesEveryRoute) {
  const auto doc = client()->get("/openapi.json").json();
  ASSERT_TRUE(doc.is_object());
  const std::map<std::string, std::set<std::string>> routes = {
      {"/healthz", {"get"}},
      {"/readyz", {"get"}},
      {"/metrics", {"get"}},
      {"/openapi.json", {"get"}},
      {"/v1/orgs", {"get", "post"}},
      {"/v1/orgs/{id}", {"get", "patch", "delete"}},
      {"/v1/tokens", {"get", "post"}},
      {"/v1/tokens/{id}", {"delete"}},
      {"/v1/types", {"get"}},
      {"/v1/datasources", {"get", "post"}},
      {"/v1/datasources/{id}", {"get", "put", "patch", "delete"}},
      {"/v1/datasources/test", {"post"}},
      {"/v1/datasources/{id}/test", {"post"}},
      {"/v1/datasources/{id}/schema", {"get"}},
      {"/v1/datasources/{id}/schema/refresh", {"post"}},
      {"/v1/datasources/{id}/clients", {"get"}},
      {"/v1/datasources/{id}/clients/{client}/schema", {"get"}},
      {"/v1/datasources/{id}/clients/{client}/test", {"post"}},
      {"/v1/logins", {"get", "post"}},
      {"/v1/logins/{id}", {"get", "put", "patch", "delete"}},
      {"/v1/jobs", {"get"}},
      {"/v1/jobs/{id}", {"get", "delete"}},
      {"/v1/events", {"get"}},
      // The vendor-compatible surfaces.
      {"/datasources", {"get", "post"}},
      {"/datasources/count", {"get"}},
      {"/datasources/{id}", {"get", "put", "delete"}},
      {"/api/v2/datasource", {"get", "post", "put", "delete"}},
      {"/api/v2/datasource/sync", {"post"}},
      {"/api/auth/login", {"post"}},
      {"/api/auth/logout", {"post"}},
      {"/api/datasources", {"get", "post"}},
      {"/api/datasources/{id}", {"get", "patch", "delete"}},
      {"/api/datasources/connections", {"get", "post"}},
      {"/api/datasources/connections/{id}", {"get", "patch", "delete"}},
      {"/api/datasources/connections/{id}/test", {"post"}},
      {"/api/datasources/logins", {"get", "post"}},
      {"/api/datasources/logins/{id}", {"get", "patch", "delete"}},
  };
  const auto* paths = doc.as_object().if_contains("paths");
  ASSERT_TRUE(paths != nullptr && paths->is_object());
  for (const auto& [path, methods] : routes) {
    const auto* p = paths->as_object().if_contains(path);
    EXPECT_TRUE(p != nullptr && p->is_object()) << "docs/openapi.yaml does not describe " << path;
    if (p == nullptr || !p->is_object()) continue;
    for (const auto& m : methods) EXPECT_TRUE(p->as_object().contains(m)) << m << " " << path;
  }
}

}  // namespace
}  // namespace dsb::test
