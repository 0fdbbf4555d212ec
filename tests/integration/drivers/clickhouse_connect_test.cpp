// Connecting to the real ClickHouse 18.16 over HTTP (and HTTPS through a TLS
// front): stages, failure reasons, deadlines, no plaintext fallback.
#include "drivers/connection_test.hpp"
#include "tests/integration/drivers/clickhouse_test_fixture.hpp"
#include "tests/integration/drivers/clickhouse_tls_proxy.hpp"

namespace dsb::test {
namespace {

using drivers::StageReporter;

TEST_F(ClickHouseDriverTest, PlainHttpReportsStagesAndTheServerVersion) {
  std::vector<drivers::StageEvent> events;
  StageReporter reporter([&](const drivers::StageEvent& e) { events.push_back(e); });
  auto session = connect(local_target(spec(), port_), reporter);
  ASSERT_TRUE(session) << session.error().message;
  EXPECT_EQ(
      stage_trail(reporter),
      (std::vector<std::string>{"tcp_connect:ok", "tls_handshake:skipped", "authenticate:ok"}));
  EXPECT_EQ(reporter.stages().back().detail.at("server_version"), "18.16.1");
  std::vector<std::string> sequence;
  for (const auto& e : events) sequence.push_back(e.stage + ":" + e.status);
  EXPECT_EQ(sequence, (std::vector<std::string>{"tcp_connect:started", "tcp_connect:ok",
                                                "tls_handshake:skipped", "authenticate:started",
                                                "authenticate:ok"}));
  auto probed = run_task((*session)->probe(soon()));
  EXPECT_TRUE(probed) << probed.error().message;
  EXPECT_EQ(scalar(**session, "SELECT currentDatabase()"), "default");
}

TEST_F(ClickHouseDriverTest, AConnectionTestThroughTheRegistryRunsEveryStage) {
  drivers::TestRequest request;
  request.spec = spec();
  request.spec.host = "127.0.0.1";
  request.fetch_schema = true;
  request.filter.include = {"system"};  // always there, never empty
  const drivers::EgressPolicy egress;
  StageReporter reporter;
  auto outcome = run_task(drivers::run_connection_test(request, egress, reporter));
  ASSERT_FALSE(outcome.failure) << outcome.failure->message;
  EXPECT_EQ(stage_trail(reporter),
            (std::vector<std::string>{"validate:ok", "resolve:ok", "ssh_connect:skipped",
                                      "ssh_auth:skipped", "tunnel_open:skipped", "tcp_connect:ok",
                                      "tls_handshake:skipped", "authenticate:ok", "probe_query:ok",
                                      "fetch_schema:ok"}));
  ASSERT_TRUE(outcome.schema);
  EXPECT_FALSE(outcome.schema->tables.empty());
}

TEST_F(ClickHouseDriverTest, DefaultUserWithoutPasswordAndAnEmptyDatabase) {
  auto s = spec();
  s.username = "default";
  s.password.clear();
  s.database.clear();
  auto session = open(s);
  ASSERT_TRUE(session);
  EXPECT_EQ(scalar(*session, "SELECT currentDatabase()"), "default");
}

TEST_F(ClickHouseDriverTest, WrongPasswordIsAuthFailed) {
  auto s = spec();
  s.password = "definitely-wrong-Sekr1t";
  StageReporter reporter;
  auto session = connect(local_target(s, port_), reporter);
  ASSERT_FALSE(session);
  EXPECT_EQ(session.error().reason, "auth_failed");
  EXPECT_EQ(session.error().stage, "authenticate");
  EXPECT_NE(session.error().message.find("Wrong password for user testuser"), std::string::npos)
      << session.error().message;
  EXPECT_NE(session.error().message.find("193"), std::string::npos) << session.error().message;
  EXPECT_EQ(session.error().message.find("definitely-wrong"), std::string::npos);
  EXPECT_EQ(session.error().message.find("e.what()"), std::string::npos) << session.error().message;
  EXPECT_EQ(
      stage_trail(reporter),
      (std::vector<std::string>{"tcp_connect:ok", "tls_handshake:skipped", "authenticate:failed"}));
}

TEST_F(ClickHouseDriverTest, UnknownUserIsAuthFailedAndASecretIsNeverEchoed) {
  // The user name equals the password, so the server's message contains it.
  const std::string secret = unique_name("pw_");
  auto s = spec();
  s.username = secret;
  s.password = secret;
  auto session = connect(s);
  ASSERT_FALSE(session);
  EXPECT_EQ(session.error().reason, "auth_failed");
  EXPECT_NE(session.error().message.find("Unknown user ***"), std::string::npos)
      << session.error().message;
  EXPECT_EQ(session.error().message.find(secret), std::string::npos);
}

TEST_F(ClickHouseDriverTest, CredentialsThatCannotBeAHeaderAreRefusedBeforeSending) {
  auto s = spec();
  s.password = "line\r\nX-Injected: 1";
  auto session = connect(s);
  ASSERT_FALSE(session);
  EXPECT_EQ(session.error().reason, "auth_failed");
  EXPECT_EQ(session.error().message.find("Injected"), std::string::npos);
}

TEST_F(ClickHouseDriverTest, UnknownDatabaseIsDatabaseNotFound) {
  auto s = spec();
  s.database = unique_name("no_such_db_");
  auto session = connect(s);
  ASSERT_FALSE(session);
  EXPECT_EQ(session.error().reason, "database_not_found");
  EXPECT_EQ(session.error().stage, "authenticate");
  EXPECT_NE(session.error().message.find("doesn't exist"), std::string::npos)
      << session.error().message;
}

TEST_F(ClickHouseDriverTest, ClosedPortIsConnectionRefused) {
  ClosedPort closed;
  StageReporter reporter;
  auto session = connect(local_target(spec(), closed.port()), reporter);
  ASSERT_FALSE(session);
  EXPECT_EQ(session.error().reason, "connection_refused");
  EXPECT_EQ(session.error().stage, "tcp_connect");
  EXPECT_EQ(stage_trail(reporter), (std::vector<std::string>{"tcp_connect:failed"}));
}

TEST_F(ClickHouseDriverTest, ANeverAnsweringServerTimesOutAtTheDeadline) {
  SilentListener silent;
  for (const char* mode : {"disable", "verify-full"}) {
    StageReporter reporter;
    const auto started = std::chrono::steady_clock::now();
    auto session = connect(local_target(spec(mode), silent.port(), 700ms), reporter);
    const double took = ms_since(started);
    ASSERT_FALSE(session) << mode;
    EXPECT_EQ(session.error().reason, "timeout") << mode;
    EXPECT_EQ(session.error().stage,
              std::string(mode) == "disable" ? "authenticate" : "tls_handshake");
    EXPECT_GE(took, 650.0) << mode;
    EXPECT_LT(took, 3000.0) << mode;
  }
}

TEST_F(ClickHouseDriverTest, AQueryPastItsDeadlineTimesOut) {
  auto session = open(spec());
  ASSERT_TRUE(session);
  const auto started = std::chrono::steady_clock::now();
  auto rows = run_task(session->query("SELECT sleep(3)", {}, drivers::Clock::now() + 500ms));
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.error().reason, "timeout");
  EXPECT_LT(ms_since(started), 2500.0);
  // The next call dials again.
  EXPECT_TRUE(run_task(session->probe(soon())));
}

TEST_F(ClickHouseDriverTest, VerifyFullOverHttpsChecksTheCertificate) {
  ClickHouseTlsProxy proxy(port_);
  for (const char* host : {"localhost", "127.0.0.1"}) {
    auto s = spec("verify-full");
    s.host = host;
    StageReporter reporter;
    auto session = connect(local_target(s, proxy.port()), reporter);
    ASSERT_TRUE(session) << host << ": " << session.error().message;
    EXPECT_EQ(stage_trail(reporter),
              (std::vector<std::string>{"tcp_connect:ok", "tls_handshake:ok", "authenticate:ok"}));
    EXPECT_EQ(scalar(**session, "SELECT 'over tls'"), "over tls");
  }
  EXPECT_EQ(proxy.handshakes(), 2);
}

TEST_F(ClickHouseDriverTest, HostNameNotInTheCertificateIsTlsFailed) {
  ClickHouseTlsProxy proxy(port_);
  for (const char* host : {"db.example.com", "127.0.0.2"}) {
    auto s = spec("verify-full");
    s.host = host;
    StageReporter reporter;
    auto session = connect(local_target(s, proxy.port()), reporter);
    ASSERT_FALSE(session) << host;
    EXPECT_EQ(session.error().reason, "tls_failed") << host;
    EXPECT_EQ(session.error().stage, "tls_handshake") << host;
    EXPECT_NE(session.error().message.find("certificate verify failed"), std::string::npos)
        << session.error().message;
  }
  // verify-ca checks the chain but not the name; require checks nothing.
  auto ca_only = spec("verify-ca");
  ca_only.host = "db.example.com";
  EXPECT_TRUE(open(ca_only, proxy.port()));
  auto require = spec("disable");
  require.tls.mode = "require";
  require.host = "db.example.com";
  EXPECT_TRUE(open(require, proxy.port()));
}

TEST_F(ClickHouseDriverTest, WrongCaIsTlsFailed) {
  ClickHouseTlsProxy proxy(port_);
  for (const char* mode : {"verify-ca", "verify-full"}) {
    auto s = spec();
    s.tls = other_ca_tls(mode);
    auto session = connect(s, proxy.port());
    ASSERT_FALSE(session) << mode;
    EXPECT_EQ(session.error().reason, "tls_failed") << mode;
    EXPECT_EQ(session.error().stage, "tls_handshake") << mode;
  }
}

// The HTTP server either answers the ClientHello with a plain 400 (tls_failed)
// or waits for the rest of a request line that never comes (timeout at the
// deadline), depending on the hello's random bytes: never is the request sent
// in plaintext.
bool tls_refused(const Failure& f) {
  return f.stage == "tls_handshake" && (f.reason == "tls_failed" || f.reason == "timeout");
}

TEST_F(ClickHouseDriverTest, TlsAgainstAPlainHttpServerNeverFallsBack) {
  for (const char* mode : {"require", "verify-ca", "verify-full"}) {
    StageReporter reporter;
    auto session = connect(local_target(spec(mode), port_, 1500ms), reporter);
    ASSERT_FALSE(session) << mode;
    EXPECT_TRUE(tls_refused(session.error())) << mode << ": " << session.error().message;
    EXPECT_EQ(stage_trail(reporter),
              (std::vector<std::string>{"tcp_connect:ok", "tls_handshake:failed"}));
  }
  // options.protocol https with TLS off still means TLS, never plain HTTP.
  auto https = spec();
  https.options["protocol"] = "https";
  StageReporter reporter;
  auto session = connect(local_target(https, port_, 1500ms), reporter);
  ASSERT_FALSE(session);
  EXPECT_TRUE(tls_refused(session.error())) << session.error().message;
}

TEST_F(ClickHouseDriverTest, AConnectionClosedWhileIdleIsDialledAgain) {
  ClickHouseTlsProxy proxy(port_);
  auto session = open(spec("verify-full"), proxy.port());
  ASSERT_TRUE(session);
  EXPECT_TRUE(run_task(session->probe(soon())));
  EXPECT_TRUE(run_task(session->probe(soon())));
  EXPECT_EQ(proxy.handshakes(), 1);  // keep-alive: one connection so far
  proxy.drop_connections();
  auto probed = run_task(session->probe(soon()));
  EXPECT_TRUE(probed) << probed.error().message;
  EXPECT_EQ(proxy.handshakes(), 2);
}

TEST_F(ClickHouseDriverTest, UnknownTlsModeIsRefused) {
  auto s = spec();
  s.tls.mode = "prefer";
  auto session = connect(s);
  ASSERT_FALSE(session);
  EXPECT_EQ(session.error().reason, "tls_failed");
}

}  // namespace
}  // namespace dsb::test
