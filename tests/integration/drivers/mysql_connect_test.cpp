// Connecting to a real MariaDB: stages, TLS modes, failure reasons.
#include "tests/integration/drivers/mysql_admin.hpp"
#include "tests/integration/drivers/mysql_test_fixture.hpp"

#include <dirent.h>
#include <sys/stat.h>

namespace dsb::test {
namespace {

using drivers::StageReporter;

TEST_F(MysqlDriverTest, VerifyFullReportsStagesInOrderWithDurations) {
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
  EXPECT_NE(cipher(**session), "");
  EXPECT_EQ(scalar(**session, "SELECT @@character_set_client"), "utf8mb4");
}

TEST_F(MysqlDriverTest, DisabledTlsSkipsTheHandshakeAndStaysPlain) {
  StageReporter reporter;
  auto session = connect(local_target(spec("disable"), port_), reporter);
  ASSERT_TRUE(session) << session.error().message;
  EXPECT_EQ(
      stage_trail(reporter),
      (std::vector<std::string>{"tcp_connect:ok", "tls_handshake:skipped", "authenticate:ok"}));
  // The server offers TLS; the client must not take it up.
  EXPECT_EQ(cipher(**session), "");
}

TEST_F(MysqlDriverTest, RequireWithoutCaEncryptsWithoutVerifying) {
  auto s = spec("disable");
  s.tls.mode = "require";
  s.host = "name-not-in-the-cert.example";
  auto session = open(s);
  ASSERT_TRUE(session);
  EXPECT_NE(cipher(*session), "");
}

TEST_F(MysqlDriverTest, VerifyCaChecksTheChainButNotTheName) {
  auto s = spec("verify-ca");
  s.host = "name-not-in-the-cert.example";
  auto session = open(s);
  ASSERT_TRUE(session);
  EXPECT_NE(cipher(*session), "");
  auto wrong = s;
  wrong.tls = other_ca_tls("verify-ca");
  auto failed = connect(wrong);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().reason, "tls_failed");
}

TEST_F(MysqlDriverTest, VerifyFullChecksTheRequestedNameNotTheDialledAddress) {
  // We always dial 127.0.0.1; "localhost" only passes if the name checked is
  // spec.host.
  for (const char* host : {"localhost", "127.0.0.1"}) {
    auto s = spec("verify-full");
    s.host = host;
    auto session = open(s);
    ASSERT_TRUE(session) << host;
    EXPECT_NE(cipher(*session), "") << host;
  }
}

TEST_F(MysqlDriverTest, WrongCaIsTlsFailed) {
  auto s = spec("disable");
  s.tls = other_ca_tls("verify-full");
  StageReporter reporter;
  auto session = connect(local_target(s, port_), reporter);
  ASSERT_FALSE(session);
  EXPECT_EQ(session.error().reason, "tls_failed");
  EXPECT_EQ(session.error().stage, "tls_handshake");
  EXPECT_EQ(stage_trail(reporter),
            (std::vector<std::string>{"tcp_connect:ok", "tls_handshake:failed"}));
}

TEST_F(MysqlDriverTest, HostNameNotInTheCertificateIsTlsFailed) {
  for (const char* host : {"db.example.com", "127.0.0.2"}) {
    auto s = spec("verify-full");
    s.host = host;
    auto session = connect(s);
    ASSERT_FALSE(session) << host;
    EXPECT_EQ(session.error().reason, "tls_failed") << host;
    EXPECT_EQ(session.error().stage, "tls_handshake") << host << ": " << session.error().message;
  }
}

TEST_F(MysqlDriverTest, TlsStrippedFromTheGreetingNeverFallsBackToPlaintext) {
  // Connector/C 3.3 alone would answer such a greeting in plaintext (user
  // name and password hash); the driver must stop before sending anything.
  DowngradingProxy proxy(port_);
  for (const char* mode : {"require", "verify-ca", "verify-full"}) {
    StageReporter reporter;
    auto session = connect(local_target(spec(mode), proxy.port()), reporter);
    ASSERT_FALSE(session) << mode;
    EXPECT_EQ(session.error().reason, "tls_failed") << mode;
    EXPECT_EQ(session.error().stage, "tls_handshake") << mode;
    EXPECT_NE(session.error().message.find("does not support TLS"), std::string::npos)
        << session.error().message;
  }
  proxy.stop();  // every connection recorded to its end
  EXPECT_EQ(proxy.greetings_sent(), 3);
  EXPECT_EQ(proxy.client_bytes(), 0u);
}

TEST_F(MysqlDriverTest, UserRequiringSslNeedsTls) {
  auto s = spec("disable");
  s.username = "tlsuser";
  auto plain = connect(s);
  ASSERT_FALSE(plain);
  EXPECT_EQ(plain.error().reason, "auth_failed");
  s.tls = test_ca_tls("verify-full");
  EXPECT_TRUE(open(s));
}

TEST_F(MysqlDriverTest, ClientCertificateAuthenticatesCertuser) {
  auto s = spec("disable");
  s.username = "certuser";
  s.password.clear();
  s.tls = client_cert_tls("verify-full");
  auto session = open(s);
  ASSERT_TRUE(session);
  EXPECT_EQ(scalar(*session, "SELECT current_user()"), "certuser@%");

  auto without_cert = s;
  without_cert.tls = test_ca_tls("verify-full");
  auto refused = connect(without_cert);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().reason, "auth_failed");
  EXPECT_EQ(refused.error().stage, "authenticate");
}

TEST_F(MysqlDriverTest, WrongPasswordIsAuthFailedAndNeverEchoed) {
  // The user name equals the password, so the server's message ("Access
  // denied for user 'x'...") contains it: the driver must scrub it.
  ScratchMysqlUser user("pwuser_", "right");
  for (const char* mode : {"verify-full", "disable"}) {
    auto s = spec(mode);
    s.username = user.name();
    s.password = user.name();
    StageReporter reporter;
    auto session = connect(local_target(s, port_), reporter);
    ASSERT_FALSE(session) << mode;
    const Failure& f = session.error();
    EXPECT_EQ(f.reason, "auth_failed") << mode;
    EXPECT_EQ(f.stage, "authenticate") << mode;
    EXPECT_NE(f.message.find("Access denied"), std::string::npos) << f.message;
    EXPECT_NE(f.message.find("***"), std::string::npos) << f.message;
    EXPECT_EQ(f.message.find(user.name()), std::string::npos) << f.message;
    ASSERT_FALSE(reporter.stages().empty());
    EXPECT_EQ(reporter.stages().back().message.find(user.name()), std::string::npos);
  }
}

TEST_F(MysqlDriverTest, UnknownDatabaseIsDatabaseNotFound) {
  // Only a user allowed to see every database learns that one is missing.
  ScratchMysqlUser user("dsb_reader_", "readerpass", "GRANT SELECT ON *.* TO {user}");
  auto s = spec("verify-full");
  s.username = user.name();
  s.password = "readerpass";
  s.database = unique_name("no_such_db_");
  auto session = connect(s);
  ASSERT_FALSE(session);
  EXPECT_EQ(session.error().reason, "database_not_found") << session.error().message;
  EXPECT_EQ(session.error().stage, "authenticate");
}

TEST_F(MysqlDriverTest, DatabaseWithoutPrivilegeIsPermissionDenied) {
  // testuser may only use testdb: MariaDB answers 1044 for any other name,
  // whether it exists or not.
  auto s = spec("disable");
  s.database = "mysql";
  auto session = connect(s);
  ASSERT_FALSE(session);
  EXPECT_EQ(session.error().reason, "permission_denied") << session.error().message;
}

TEST_F(MysqlDriverTest, ClosedPortIsConnectionRefused) {
  ClosedPort closed;
  StageReporter reporter;
  auto session = connect(local_target(spec("verify-full"), closed.port()), reporter);
  ASSERT_FALSE(session);
  EXPECT_EQ(session.error().reason, "connection_refused") << session.error().message;
  EXPECT_EQ(session.error().stage, "tcp_connect");
  EXPECT_EQ(stage_trail(reporter), (std::vector<std::string>{"tcp_connect:failed"}));
}

TEST_F(MysqlDriverTest, SilentServerTimesOutAtTheDeadline) {
  SilentListener silent;
  for (const char* mode : {"disable", "require"}) {
    StageReporter reporter;
    auto target = local_target(spec(mode), silent.port(), 400ms);
    const auto start = std::chrono::steady_clock::now();
    auto session = connect(target, reporter);
    const double elapsed = ms_since(start);
    ASSERT_FALSE(session) << mode;
    EXPECT_EQ(session.error().reason, "timeout") << mode;
    // TCP connects (the listener accepts); the greeting never comes.
    EXPECT_EQ(session.error().stage,
              std::string(mode) == "disable" ? "authenticate" : "tls_handshake");
    EXPECT_GE(elapsed, 390.0) << mode;
    EXPECT_LT(elapsed, 550.0) << mode;
  }
}

TEST_F(MysqlDriverTest, ExpiredDeadlineFailsWithoutWaiting) {
  SilentListener silent;
  StageReporter reporter;
  auto target = local_target(spec("disable"), silent.port(), 0ms);
  const auto start = std::chrono::steady_clock::now();
  auto session = connect(target, reporter);
  EXPECT_FALSE(session);
  EXPECT_EQ(session.error().reason, "timeout");
  EXPECT_LT(ms_since(start), 100.0);
}

std::size_t entries_in(const std::string& dir) {
  std::size_t count = 0;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") ++count;
    }
    ::closedir(d);
  }
  return count;
}

TEST_F(MysqlDriverTest, TlsFilesAreRemovedWhenTheConnectEnds) {
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
    EXPECT_EQ(entries_in(tmp), 0u);
    auto failing = s;
    failing.tls = other_ca_tls("verify-full");
    EXPECT_FALSE(connect(failing));
    EXPECT_EQ(entries_in(tmp), 0u);
  }
  ::rmdir(tmp.c_str());
}

}  // namespace
}  // namespace dsb::test
