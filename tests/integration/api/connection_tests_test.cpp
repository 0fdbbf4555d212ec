// Connection tests through the native API against real PostgreSQL and
// MariaDB: every stage in order on success; the stage and reason of each
// failure with nothing stored; deadlines that hold against a server that
// never answers; TLS verification without fallback; client certificates;
// passwords kept out of errors and logs; 200 concurrent tests that never block
// a shard; what a saved test records; types this build cannot connect to.
#include "tests/integration/api/api_fixture.hpp"
#include "tests/integration/api/silent_listener.hpp"
#include "tests/integration/api/sql_admin.hpp"
#include "tests/support/test_env.hpp"

#include <boost/json/serialize.hpp>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

namespace dsb::test {
namespace {

using Clock = std::chrono::steady_clock;

const std::vector<std::string> kAllStages = {
    "validate",      "resolve",      "ssh_connect", "ssh_auth",     "tunnel_open",  "tcp_connect",
    "tls_handshake", "authenticate", "probe_query", "fetch_schema", "cache_schema", "done"};

// A password no server message would contain by accident.
constexpr const char* kSecret = "Sekr1t-6d0a4f-NEVER-ECHOED";

class ConnectionTestsTest : public ApiTest {
 protected:
  // Items of GET /v1/datasources.
  std::size_t stored() {
    auto r = api().get("/v1/datasources");
    EXPECT_EQ(r.status, 200) << r.body;
    const auto v = r.json();
    return v.is_object() ? v.at("items").as_array().size() : 0;
  }
};

// A 400 CREDENTIAL_TEST_FAILED naming `stage_name` and `reason`, whose stages
// end with that stage, failed.
void expect_test_failed(const HttpResult& r, const std::string& stage_name,
                        const std::string& reason) {
  expect_error(r, 400, "CREDENTIAL_TEST_FAILED");
  const auto v = r.json();
  EXPECT_EQ(str(v, "stage"), stage_name) << r.body;
  EXPECT_EQ(str(v, "reason"), reason) << r.body;
  const auto* stages = v.is_object() ? v.as_object().if_contains("stages") : nullptr;
  ASSERT_TRUE(stages && stages->is_array() && !stages->as_array().empty()) << r.body;
  const auto& last = stages->as_array().back();
  EXPECT_EQ(str(last, "stage"), stage_name) << r.body;
  EXPECT_EQ(str(last, "status"), "failed") << r.body;
  EXPECT_EQ(str(last, "reason"), reason) << r.body;
  EXPECT_FALSE(str(last, "message").empty()) << r.body;
}

// A 201 whose test ran every stage in order, ok or skipped (`tls` for
// tls_handshake), with a cached schema of `tables` tables.
void expect_created_ok(const HttpResult& r, const std::string& tls, std::int64_t tables) {
  ASSERT_EQ(r.status, 201) << r.body;
  const auto v = r.json();
  EXPECT_EQ(str(v, "status"), "ok");
  EXPECT_FALSE(str(v, "last_tested_at").empty());
  EXPECT_TRUE(v.at("last_error").is_null());
  const auto& test = v.at("test");
  EXPECT_EQ(test.at("ok"), json::value(true));
  EXPECT_GT(test.at("duration_ms").to_number<double>(), 0);
  EXPECT_EQ(stage_names(test.at("stages")), kAllStages) << r.body;
  for (const auto& s : test.at("stages").as_array()) {
    const std::string name = str(s, "stage");
    std::string want = name.starts_with("ssh_") || name == "tunnel_open" ? "skipped" : "ok";
    if (name == "tls_handshake") want = tls;
    EXPECT_EQ(str(s, "status"), want) << name;
    EXPECT_GE(s.at("duration_ms").to_number<double>(), 0) << name;
  }
  const auto& info = v.at("schema_info");
  ASSERT_TRUE(info.is_object()) << r.body;
  EXPECT_EQ(str(info, "hash").size(), 64u);
  EXPECT_FALSE(str(info, "fetched_at").empty());
  EXPECT_EQ(info.at("tables"), json::value(tables));
}

TEST_F(ConnectionTestsTest, CreateAgainstPostgresRunsEveryStage) {
  PgScratchDatabase db("api_conn_pg");
  PgSuperuser(db.name()).exec("CREATE TABLE items (id int PRIMARY KEY, label text)");
  auto r = api().post("/v1/datasources", pg_datasource("warehouse", db.name()));
  expect_created_ok(r, "skipped", 1);
  const auto v = r.json();
  auto got = api().get("/v1/datasources/" + str(v, "id"));
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(str(got.json(), "status"), "ok");
  EXPECT_EQ(got.json().at("schema_info"), v.at("schema_info"));
  EXPECT_FALSE(got.json().as_object().contains("test"));
  EXPECT_EQ(api().get("/v1/datasources/" + str(v, "id") + "/schema").status, 200);
}

TEST_F(ConnectionTestsTest, CreateAgainstMariadbRunsEveryStage) {
  MariaScratchDatabase db("api_conn_my");
  MariaRoot().exec("CREATE TABLE " + db.name() + ".items (id int PRIMARY KEY, label text)");
  auto r = api().post("/v1/datasources", mysql_datasource("orders", db.name()));
  expect_created_ok(r, "skipped", 1);
  EXPECT_EQ(str(r.json(), "type"), "mysql");  // mariadb is an alias
}

TEST_F(ConnectionTestsTest, WrongPasswordFailsAtAuthenticateAndStoresNothing) {
  for (const auto& body : {pg_datasource("warehouse", "testdb", "testuser", kSecret),
                           mysql_datasource("warehouse", "testdb", "testuser", kSecret)}) {
    auto r = api().post("/v1/datasources", body);
    expect_test_failed(r, "authenticate", "auth_failed");
    const auto names = stage_names(r.json().at("stages"));
    EXPECT_EQ(names, std::vector<std::string>(kAllStages.begin(), kAllStages.begin() + 8));
    EXPECT_EQ(stored(), 0u);
  }
  // Nothing was stored, so the name is still free.
  expect_created_ok(api().post("/v1/datasources", pg_datasource("warehouse")), "skipped", 0);
  EXPECT_EQ(stored(), 1u);
}

TEST_F(ConnectionTestsTest, UnknownDatabaseIsDatabaseNotFound) {
  const std::string missing = unique_name("api_no_such_db");
  expect_test_failed(api().post("/v1/datasources", pg_datasource("pg", missing)), "authenticate",
                     "database_not_found");
  // MariaDB says "unknown database" only to a user who could see it.
  const std::string user = unique_name("api_glob");
  MariaRoot().exec("CREATE USER '" + user +
                   "'@'%' IDENTIFIED BY 'globpass'; GRANT SELECT ON *.* TO '" + user + "'@'%'");
  auto r = api().post("/v1/datasources", mysql_datasource("my", missing, user, "globpass"));
  MariaRoot().exec("DROP USER '" + user + "'@'%'");
  expect_test_failed(r, "authenticate", "database_not_found");
  EXPECT_EQ(stored(), 0u);
}

TEST_F(ConnectionTestsTest, ClosedPortIsConnectionRefused) {
  const std::uint16_t port = closed_port();
  for (auto body : {pg_datasource("pg"), mysql_datasource("my")}) {
    body["port"] = port;
    expect_test_failed(api().post("/v1/datasources", body), "tcp_connect", "connection_refused");
  }
  EXPECT_EQ(stored(), 0u);
}

TEST_F(ConnectionTestsTest, SilentServerTimesOutAtTheRequestedDeadline) {
  SilentListener silent;
  auto tls = pg_datasource("pg-tls");
  tls["tls"] = json::object{{"mode", "require"}};
  const std::pair<json::object, std::string> cases[] = {{pg_datasource("pg"), "authenticate"},
                                                        {mysql_datasource("my"), "authenticate"},
                                                        {tls, "tls_handshake"}};
  for (auto [body, stage_name] : cases) {
    body["port"] = silent.port();
    const auto t0 = Clock::now();
    auto r = api().post("/v1/datasources?timeout_ms=1500", body);
    const double took = ms_since(t0);
    expect_test_failed(r, stage_name, "timeout");
    EXPECT_GE(took, 1400) << str(body, "name");
    EXPECT_LT(took, 3500) << str(body, "name");
  }
  EXPECT_GE(silent.accepted(), 3);
  EXPECT_EQ(stored(), 0u);
}

TEST_F(ConnectionTestsTest, VerifyFullWithTheRightCaSucceeds) {
  for (auto body : {pg_datasource("pg"), mysql_datasource("my")}) {
    body["host"] = "localhost";  // the name in the server certificate
    body["tls"] = json::object{{"mode", "verify-full"}, {"ca", tls_pem("ca.crt")}};
    expect_created_ok(api().post("/v1/datasources", body), "ok", 0);
  }
  EXPECT_EQ(stored(), 2u);
}

TEST_F(ConnectionTestsTest, WrongCaIsTlsFailed) {
  for (auto body : {pg_datasource("pg"), mysql_datasource("my")}) {
    body["host"] = "localhost";
    body["tls"] = json::object{{"mode", "verify-full"}, {"ca", tls_pem("other-ca.crt")}};
    expect_test_failed(api().post("/v1/datasources", body), "tls_handshake", "tls_failed");
  }
  EXPECT_EQ(stored(), 0u);
}

// Another name /etc/hosts gives 127.0.0.1 (not in the server certificate).
std::string loopback_alias() {
  std::istringstream hosts(read_file("/etc/hosts"));
  std::string line;
  while (std::getline(hosts, line)) {
    std::istringstream words(line);
    std::string address, name;
    if (!(words >> address) || address != "127.0.0.1") continue;
    while (words >> name)
      if (name != "localhost" && !name.starts_with("#")) return name;
  }
  return {};
}

TEST_F(ConnectionTestsTest, VerifyFullChecksTheHostName) {
  const std::string alias = loopback_alias();
  if (alias.empty()) GTEST_SKIP() << "/etc/hosts names 127.0.0.1 only as localhost";
  auto body = pg_datasource("pg");
  body["host"] = alias;
  body["tls"] = json::object{{"mode", "verify-full"}, {"ca", tls_pem("ca.crt")}};
  expect_test_failed(api().post("/v1/datasources/test", body), "tls_handshake", "tls_failed");
  // verify-ca checks the chain only, so the same name passes.
  body["tls"].as_object()["mode"] = "verify-ca";
  auto r = api().post("/v1/datasources/test", body);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(str(stage(r.json().at("stages"), "tls_handshake"), "status"), "ok");
}

TEST_F(ConnectionTestsTest, TlsRequiredAgainstAPlaintextServerNeverFallsBack) {
  auto body = pg_datasource("plain");
  body["port"] = services().pg_plain;
  body["tls"] = json::object{{"mode", "require"}};
  auto r = api().post("/v1/datasources", body);
  expect_test_failed(r, "tls_handshake", "tls_failed");
  EXPECT_TRUE(stage(r.json().at("stages"), "authenticate").empty()) << r.body;
  EXPECT_EQ(stored(), 0u);
  // The same server without TLS is fine: the failure was TLS, not the server.
  body["tls"] = json::object{{"mode", "disable"}};
  expect_created_ok(api().post("/v1/datasources", body), "skipped", 0);
}

TEST_F(ConnectionTestsTest, ClientCertificateAuthentication) {
  for (auto body : {pg_datasource("pg", "testdb", "certuser", ""),
                    mysql_datasource("my", "testdb", "certuser", "")}) {
    body["host"] = "localhost";
    body["tls"] = json::object{{"mode", "verify-full"}, {"ca", tls_pem("ca.crt")}};
    // Without the certificate the server turns certuser away...
    auto refused = api().post("/v1/datasources/test", body);
    EXPECT_EQ(refused.status, 400) << refused.body;
    EXPECT_EQ(str(refused.json(), "reason"), "auth_failed") << refused.body;
    // ...with it, certuser is in.
    body["tls"].as_object()["cert"] = tls_pem("client.crt");
    body["tls"].as_object()["key"] = tls_pem("client.key");
    auto r = api().post("/v1/datasources", body);
    expect_created_ok(r, "ok", 0);
    EXPECT_EQ(r.json().at("tls").at("key"), json::value(json::object{{"set", true}}));
  }
}

TEST_F(ConnectionTestsTest, PasswordNeverInErrorsOrLogs) {
  // The right password for a role, so the server gets as far as the database.
  PgScratchRole role("api_echo", kSecret);
  // Failures whose server messages would quote the secret if nothing scrubbed
  // it: as the user name, and as the database name.
  const std::pair<json::object, std::string> cases[] = {
      {pg_datasource("a", "testdb", "testuser", kSecret), "auth_failed"},
      {mysql_datasource("b", "testdb", "testuser", kSecret), "auth_failed"},
      {pg_datasource("c", "testdb", kSecret, kSecret), "auth_failed"},
      {mysql_datasource("d", "testdb", kSecret, kSecret), "auth_failed"},
      {pg_datasource("e", kSecret, role.name(), kSecret), "database_not_found"}};
  int scrubbed = 0;
  for (const auto& [body, reason] : cases) {
    for (const char* path : {"/v1/datasources", "/v1/datasources/test"}) {
      auto r = api().post(path, body);
      EXPECT_EQ(str(r.json(), "reason"), reason) << r.body;
      scrubbed += r.body.find("***") != std::string::npos;
    }
  }
  EXPECT_EQ(scrubbed, 6);  // the quoted user names and the database name
  // A saved datasource whose test fails records last_error without it.
  auto made = api().post("/v1/datasources?test=false",
                         pg_datasource("saved", "testdb", "testuser", kSecret));
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string id = str(made.json(), "id");
  expect_test_failed(api().post_empty("/v1/datasources/" + id + "/test"), "authenticate",
                     "auth_failed");
  EXPECT_EQ(str(api().get("/v1/datasources/" + id).json(), "status"), "failed");
  for (const auto& response : transcript())
    EXPECT_EQ(response.find(kSecret), std::string::npos) << response;
  EXPECT_EQ(output().find(kSecret), std::string::npos) << output();
}

// One POST /v1/datasources/test per connection, sent on `count` connections
// before any answer is read; returns the answers.
std::vector<HttpResult> concurrent_tests(std::uint16_t port, const std::string& token,
                                         const std::string& body, int count) {
  const std::string request =
      "POST /v1/datasources/test?timeout_ms=3000 HTTP/1.1\r\n"
      "Host: 127.0.0.1\r\nAuthorization: Bearer " +
      token +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body;
  std::vector<std::unique_ptr<RawConnection>> conns;
  for (int i = 0; i < count; ++i) {
    conns.push_back(std::make_unique<RawConnection>(port));
    EXPECT_TRUE(conns.back()->send(request));
  }
  std::vector<HttpResult> out;
  for (auto& c : conns) out.push_back(c->read_response(15000));
  return out;
}

TEST_F(ConnectionTestsTest, TwoHundredSilentServersNeverBlockAShard) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  // The org may run all of them at once (the default per-org limit is lower).
  start({{"DSB_LIMITS_CONCURRENT_TESTS", std::to_string(kThreads * kPerThread)}});
  SilentListener silent;
  auto body = pg_datasource("silent");
  body["port"] = silent.port();
  const std::string text = json::serialize(body);

  std::atomic<int> running{kThreads};
  std::vector<std::vector<HttpResult>> results(kThreads);
  std::vector<std::thread> threads;
  const auto t0 = Clock::now();
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      results[t] = concurrent_tests(port(), org_token_, text, kPerThread);
      --running;
    });

  // Meanwhile /healthz, each on a new connection so both shards are asked.
  std::vector<double> health_ms;
  while (running > 0) {
    HttpClient probe("127.0.0.1", port());
    const auto h0 = Clock::now();
    const auto r = probe.get("/healthz");
    health_ms.push_back(ms_since(h0));
    EXPECT_EQ(r.status, 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (auto& th : threads) th.join();
  const double total = ms_since(t0);

  int timeouts = 0;
  for (const auto& batch : results)
    for (const auto& r : batch) {
      EXPECT_EQ(r.status, 400) << r.body;
      timeouts += str(r.json(), "reason") == "timeout";
    }
  EXPECT_EQ(timeouts, kThreads * kPerThread);
  EXPECT_EQ(silent.accepted(), kThreads * kPerThread);
  // All in flight at once: one after the other would take 200 x 3 s.
  EXPECT_LT(total, 10000);
  ASSERT_GE(health_ms.size(), 20u) << "healthz was not probed while the tests ran";
  for (double ms : health_ms) EXPECT_LT(ms, 500);
}

TEST_F(ConnectionTestsTest, SavedTestRecordsOkThenFailedThenOk) {
  PgScratchRole role("api_rot", "first-pass-1");
  auto made = api().post("/v1/datasources",
                         pg_datasource("rotating", "testdb", role.name(), "first-pass-1"));
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string id = str(made.json(), "id");
  const std::string path = "/v1/datasources/" + id;

  auto ok = api().post_empty(path + "/test");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.json().at("ok"), json::value(true));
  EXPECT_EQ(stage_names(ok.json().at("stages")).back(), "done");
  auto first = api().get(path).json();
  EXPECT_EQ(str(first, "status"), "ok");
  EXPECT_TRUE(first.at("last_error").is_null());

  role.set_password("second-pass-2");  // the stored password is now wrong
  expect_test_failed(api().post_empty(path + "/test"), "authenticate", "auth_failed");
  auto failed = api().get(path).json();
  EXPECT_EQ(str(failed, "status"), "failed");
  EXPECT_GE(str(failed, "last_tested_at"), str(first, "last_tested_at"));
  const auto& err = failed.at("last_error");
  EXPECT_EQ(str(err, "code"), "CREDENTIAL_TEST_FAILED");
  EXPECT_EQ(str(err, "stage"), "authenticate");
  EXPECT_EQ(str(err, "reason"), "auth_failed");
  EXPECT_FALSE(str(err, "message").empty());

  role.set_password("first-pass-1");
  ASSERT_EQ(api().post_empty(path + "/test").status, 200);
  auto again = api().get(path).json();
  EXPECT_EQ(str(again, "status"), "ok");
  EXPECT_TRUE(again.at("last_error").is_null());
  // A test changes no configuration, so no new version.
  EXPECT_EQ(again.at("version"), json::value(1));
}

TEST_F(ConnectionTestsTest, TypeWithoutADriverIsDriverUnavailable) {
  const json::object body{{"name", "snow"},
                          {"type", "snowflake"},
                          {"options", json::object{{"account", "acme.snowflakecomputing.com"},
                                                   {"warehouse", "compute_wh"}}},
                          {"database", "analytics"},
                          {"username", "report"},
                          {"password", kSecret}};
  expect_error(api().post("/v1/datasources", body), 501, "DRIVER_UNAVAILABLE");
  expect_error(api().post("/v1/datasources/test", body), 501, "DRIVER_UNAVAILABLE");
  EXPECT_EQ(stored(), 0u);
  auto made = api().post("/v1/datasources?test=false", body);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(str(made.json(), "status"), "untested");
  EXPECT_FALSE(made.json().as_object().contains("test"));
  EXPECT_TRUE(made.json().at("schema_info").is_null());
  expect_error(api().post_empty("/v1/datasources/" + str(made.json(), "id") + "/test"), 501,
               "DRIVER_UNAVAILABLE");
}

}  // namespace
}  // namespace dsb::test
