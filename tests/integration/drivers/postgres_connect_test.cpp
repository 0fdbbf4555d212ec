// Connecting to a real PostgreSQL: stages, TLS modes, failure reasons.
#include "tests/integration/drivers/pg_admin.hpp"
#include "tests/integration/drivers/pg_test_fixture.hpp"

#include <dirent.h>
#include <sys/stat.h>

namespace dsb::test {
namespace {

using drivers::StageReporter;

TEST_F(PostgresDriverTest, VerifyFullReportsStagesInOrderWithDurations) {
  std::vector<drivers::StageEvent> events;
  StageReporter reporter([&](const drivers::StageEvent& e) { events.push_back(e); });
  auto session = connect(local_target(spec("verify-full"), port_), reporter);
  ASSERT_TRUE(session) << session.error().message;

  EXPECT_EQ(stage_trail(reporter),
            (std::vector<std::string>{"tcp_connect:ok", "tls_handshake:ok", "authenticate:ok"}));
  for (const auto& stage : reporter.stages()) {
    EXPECT_GE(stage.duration_ms, 0.0) << stage.stage;
    EXPECT_LT(stage.duration_ms, 5000.0) << stage.stage;
  }
  std::vector<std::string> sequence;
  for (const auto& e : events) sequence.push_back(e.stage + ":" + e.status);
  EXPECT_EQ(sequence, (std::vector<std::string>{"tcp_connect:started", "tcp_connect:ok",
                                                "tls_handshake:started", "tls_handshake:ok",
                                                "authenticate:started", "authenticate:ok"}));

  auto probed = run_task((*session)->probe(soon()));
  EXPECT_TRUE(probed) << probed.error().message;
  EXPECT_EQ(scalar(**session, "SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()"),
            "true");
}

TEST_F(PostgresDriverTest, DisabledTlsSkipsTheHandshakeAndStaysPlain) {
  StageReporter reporter;
  auto session = connect(local_target(spec("disable"), port_), reporter);
  ASSERT_TRUE(session) << session.error().message;
  EXPECT_EQ(
      stage_trail(reporter),
      (std::vector<std::string>{"tcp_connect:ok", "tls_handshake:skipped", "authenticate:ok"}));
  EXPECT_EQ(scalar(**session, "SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()"),
            "false");
}

TEST_F(PostgresDriverTest, RequireWithoutCaEncryptsWithoutVerifying) {
  auto s = spec("disable");
  s.tls.mode = "require";
  s.host = "name-not-in-the-cert.example";
  auto session = open(s);
  ASSERT_TRUE(session);
  EXPECT_EQ(scalar(*session, "SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()"),
            "true");
}

TEST_F(PostgresDriverTest, VerifyCaChecksTheChainButNotTheName) {
  auto s = spec("verify-ca");
  s.host = "name-not-in-the-cert.example";
  EXPECT_TRUE(open(s));
  auto wrong = s;
  wrong.tls = other_ca_tls("verify-ca");
  auto failed = connect(wrong);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().reason, "tls_failed");
}

TEST_F(PostgresDriverTest, VerifyFullAcceptsEveryNameInTheCertificate) {
  for (const char* host : {"localhost", "127.0.0.1"}) {
    auto s = spec("verify-full");
    s.host = host;
    EXPECT_TRUE(open(s)) << host;
  }
}

TEST_F(PostgresDriverTest, WrongCaIsTlsFailed) {
  auto s = spec("disable");
  s.tls = other_ca_tls("verify-full");
  StageReporter reporter;
  auto session = connect(local_target(s, port_), reporter);
  ASSERT_FALSE(session);
  EXPECT_EQ(session.error().reason, "tls_failed");
  EXPECT_EQ(session.error().stage, "tls_handshake");
  EXPECT_NE(session.error().message.find("certificate verify failed"), std::string::npos)
      << session.error().message;
  EXPECT_EQ(stage_trail(reporter),
            (std::vector<std::string>{"tcp_connect:ok", "tls_handshake:failed"}));
}

TEST_F(PostgresDriverTest, HostNameNotInTheCertificateIsTlsFailed) {
  // The server certificate names localhost and 127.0.0.1; we dial 127.0.0.1
  // but ask for other names.
  for (const char* host : {"db.example.com", "127.0.0.2"}) {
    auto s = spec("verify-full");
    s.host = host;
    auto session = connect(s);
    ASSERT_FALSE(session) << host;
    EXPECT_EQ(session.error().reason, "tls_failed") << host;
    EXPECT_EQ(session.error().stage, "tls_handshake") << host;
    EXPECT_NE(session.error().message.find("does not match host name"), std::string::npos)
        << session.error().message;
  }
}

TEST_F(PostgresDriverTest, TlsRequiredAgainstAPlaintextServerNeverFallsBack) {
  const std::uint16_t plain = require_port("DSB_TEST_PG_PLAIN_PORT");
  for (const char* mode : {"require", "verify-ca", "verify-full"}) {
    StageReporter reporter;
    auto session = connect(local_target(spec(mode), plain), reporter);
    ASSERT_FALSE(session) << mode;
    EXPECT_EQ(session.error().reason, "tls_failed") << mode;
    EXPECT_EQ(session.error().stage, "tls_handshake") << mode;
    EXPECT_NE(session.error().message.find("does not support SSL"), std::string::npos)
        << session.error().message;
  }
  // The same server is fine when TLS is off.
  EXPECT_TRUE(open(spec("disable")));
}

TEST_F(PostgresDriverTest, ClientCertificateAuthenticatesCertuser) {
  auto s = spec("disable");
  s.username = "certuser";
  s.password.clear();
  s.tls = client_cert_tls("verify-full");
  auto session = open(s);
  ASSERT_TRUE(session);
  EXPECT_EQ(scalar(*session, "SELECT current_user"), "certuser");

  auto without_cert = s;
  without_cert.tls = test_ca_tls("verify-full");
  auto refused = connect(without_cert);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().reason, "auth_failed");
  EXPECT_EQ(refused.error().stage, "authenticate");
}

TEST_F(PostgresDriverTest, WrongPasswordIsAuthFailedAndNeverEchoed) {
  // The user name equals the password, so the server's message contains it:
  // the driver must scrub it.
  const std::string secret = unique_name("pwuser_");
  PgAdmin().exec("CREATE ROLE " + secret + " LOGIN PASSWORD 'right'");
  auto s = spec("verify-full");
  s.username = secret;
  s.password = secret;
  StageReporter reporter;
  auto session = connect(local_target(s, port_), reporter);
  PgAdmin().exec("DROP ROLE " + secret);
  ASSERT_FALSE(session);
  const Failure& f = session.error();
  EXPECT_EQ(f.reason, "auth_failed");
  EXPECT_EQ(f.stage, "authenticate");
  EXPECT_NE(f.message.find("password authentication failed"), std::string::npos) << f.message;
  EXPECT_NE(f.message.find("***"), std::string::npos) << f.message;
  EXPECT_EQ(f.message.find(secret), std::string::npos) << f.message;
  ASSERT_FALSE(reporter.stages().empty());
  EXPECT_EQ(reporter.stages().back().message.find(secret), std::string::npos);
  EXPECT_EQ(f.message.find("LOCATION"), std::string::npos) << f.message;
  EXPECT_EQ(f.message.find("28P01"), std::string::npos) << f.message;

  auto plain_wrong = spec("disable");
  plain_wrong.password = "definitely-wrong-" + secret;
  auto again = connect(plain_wrong);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().reason, "auth_failed");
  EXPECT_EQ(again.error().message.find(plain_wrong.password), std::string::npos);
}

TEST_F(PostgresDriverTest, UnknownDatabaseIsDatabaseNotFound) {
  auto s = spec("verify-full");
  s.database = unique_name("no_such_db_");
  auto session = connect(s);
  ASSERT_FALSE(session);
  EXPECT_EQ(session.error().reason, "database_not_found");
  EXPECT_EQ(session.error().stage, "authenticate");
  EXPECT_NE(session.error().message.find("does not exist"), std::string::npos);
}

TEST_F(PostgresDriverTest, DatabaseWithoutConnectPrivilegeIsPermissionDenied) {
  ScratchPgDatabase db("dsb_noconnect_");
  PgAdmin().exec("ALTER DATABASE " + db.name() + " OWNER TO postgres");
  PgAdmin().exec("REVOKE CONNECT ON DATABASE " + db.name() + " FROM PUBLIC");
  auto s = spec("disable");
  s.database = db.name();
  auto session = connect(s);
  ASSERT_FALSE(session);
  EXPECT_EQ(session.error().reason, "permission_denied") << session.error().message;
}

TEST_F(PostgresDriverTest, ClosedPortIsConnectionRefused) {
  ClosedPort closed;
  StageReporter reporter;
  auto session = connect(local_target(spec("verify-full"), closed.port()), reporter);
  ASSERT_FALSE(session);
  EXPECT_EQ(session.error().reason, "connection_refused");
  EXPECT_EQ(session.error().stage, "tcp_connect");
  EXPECT_EQ(stage_trail(reporter), (std::vector<std::string>{"tcp_connect:failed"}));
}

TEST_F(PostgresDriverTest, SilentServerTimesOutAtTheDeadline) {
  SilentListener silent;
  for (const char* mode : {"disable", "require"}) {
    StageReporter reporter;
    auto target = local_target(spec(mode), silent.port(), 400ms);
    const auto start = std::chrono::steady_clock::now();
    auto session = connect(target, reporter);
    const double elapsed = ms_since(start);
    ASSERT_FALSE(session) << mode;
    EXPECT_EQ(session.error().reason, "timeout") << mode;
    // TCP connects (the listener accepts); the server never answers.
    EXPECT_EQ(session.error().stage,
              std::string(mode) == "disable" ? "authenticate" : "tls_handshake");
    EXPECT_GE(elapsed, 390.0) << mode;
    EXPECT_LT(elapsed, 550.0) << mode;
  }
}

TEST_F(PostgresDriverTest, ExpiredDeadlineFailsWithoutWaiting) {
  SilentListener silent;
  auto target = local_target(spec("disable"), silent.port(), 0ms);
  StageReporter reporter;
  const auto start = std::chrono::steady_clock::now();
  auto session = connect(target, reporter);
  EXPECT_FALSE(session);
  EXPECT_EQ(session.error().reason, "timeout");
  EXPECT_LT(ms_since(start), 100.0);
}

std::vector<std::string> entries_of(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") out.push_back(name);
    }
    ::closedir(d);
  }
  return out;
}

TEST_F(PostgresDriverTest, TlsFilesAreRemovedWhenTheConnectEnds) {
  const std::string tmp = "/tmp/" + unique_name("dsb_tmp_");
  ASSERT_EQ(::mkdir(tmp.c_str(), 0700), 0);
  {
    ScopedEnv env("TMPDIR", tmp);
    auto s = spec("disable");
    s.username = "certuser";
    s.password.clear();
    s.tls = client_cert_tls("verify-full");
    auto session = open(s);
    EXPECT_TRUE(session);
    EXPECT_TRUE(entries_of(tmp).empty()) << "left behind: " << entries_of(tmp).front();
    auto failing = s;
    failing.tls = other_ca_tls("verify-full");
    EXPECT_FALSE(connect(failing));
    EXPECT_TRUE(entries_of(tmp).empty());
  }
  ::rmdir(tmp.c_str());
}

}  // namespace
}  // namespace dsb::test
