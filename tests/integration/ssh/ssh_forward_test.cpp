// The tunnel itself: PostgreSQL and MariaDB reached through the bastion (a
// test, a schema, TLS still verified against the database's name, megabytes
// both ways), and each way the path can fail: a forward the bastion refuses,
// a bastion that accepts TCP and never speaks, a closed bastion port, a
// bastion the egress policy denies.
#include "tests/integration/drivers/mysql_admin.hpp"
#include "tests/integration/drivers/pg_admin.hpp"
#include "tests/integration/ssh/ssh_fixture.hpp"

#include <boost/asio/this_coro.hpp>

namespace dsb::test {
namespace {

using Session = std::unique_ptr<drivers::DriverSession>;

// Runs `body` with a session opened through the tunnel, on one io_context.
template <class Body>
void with_session(const drivers::ConnectionSpec& spec, Body body) {
  run_all([&]() -> asio::awaitable<bool> {
    drivers::StageReporter reporter;
    drivers::EgressPolicy egress;
    const auto now = drivers::Clock::now();
    auto session = co_await drivers::open_session(spec, egress, reporter, now + 10s, now + 60s);
    if (!session) {
      ADD_FAILURE() << session.error().message;
      co_return false;
    }
    co_await body(**session);
    co_return true;
  }());
}

asio::awaitable<std::optional<std::string>> scalar(
    drivers::DriverSession& s, std::string sql,
    std::vector<std::optional<std::string>> params = {}) {
  auto rows = co_await s.query(std::move(sql), std::move(params), drivers::Clock::now() + 30s);
  if (!rows || rows->rows.size() != 1 || rows->rows[0].size() != 1) {
    ADD_FAILURE() << (rows ? "not one value" : rows.error().message);
    co_return std::nullopt;
  }
  co_return rows->rows[0][0];
}

bool has_table(const drivers::SchemaSnapshot& s, const std::string& name) {
  for (const auto& t : s.tables)
    if (t.name == name) return true;
  return false;
}

// Creates a table through the tunnel in `database` (a scratch one: the
// shared testdb stays empty for the other suites), then runs a test with the
// schema fetch and looks for the table.
void schema_through_tunnel(drivers::ConnectionSpec spec, const std::string& database) {
  spec.database = database;
  with_session(spec, [&](drivers::DriverSession& s) -> asio::awaitable<void> {
    auto made =
        co_await s.query("CREATE TABLE ssh_tunnel_probe (id integer PRIMARY KEY, label text)", {},
                         drivers::Clock::now() + 30s);
    EXPECT_TRUE(made) << (made ? "" : made.error().message);
  });
  const auto run = run_test(spec, true);
  ASSERT_TRUE(run.ok()) << run.message();
  EXPECT_EQ(run.trail.back(), "fetch_schema:ok");
  ASSERT_TRUE(run.outcome.schema);
  EXPECT_TRUE(has_table(*run.outcome.schema, "ssh_tunnel_probe"));
}

TEST(SshForward, PostgresTestAndSchema) {
  ScratchPgDatabase db("ssh_pg");
  schema_through_tunnel(pg_spec(ssh_with_password()), db.name());
}

TEST(SshForward, MariadbTestAndSchema) {
  ScratchMysqlDatabase db("ssh_my");
  MysqlAdmin().exec("GRANT ALL ON `" + db.name() + "`.* TO 'testuser'@'%'");
  schema_through_tunnel(mysql_spec(ssh_with_key("id_ed25519")), db.name());
}

TEST(SshForward, TlsIsStillVerifiedAgainstTheDatabaseName) {
  auto spec = pg_spec(ssh_with_password());
  spec.host = "localhost";  // the bastion resolves it; the certificate names it
  spec.tls = test_ca_tls("verify-full");
  const auto run = run_test(spec);
  ASSERT_TRUE(run.ok()) << run.message();
  EXPECT_EQ(run.record("tls_handshake").status, "ok");

  spec.tls = other_ca_tls("verify-full");
  const auto wrong_ca = run_test(spec);
  EXPECT_EQ(wrong_ca.stage(), "tls_handshake") << wrong_ca.message();
  EXPECT_EQ(wrong_ca.reason(), "tls_failed");

  auto maria = mysql_spec(ssh_with_password());
  maria.host = "localhost";
  maria.tls = test_ca_tls("verify-full");
  const auto mrun = run_test(maria);
  EXPECT_TRUE(mrun.ok()) << mrun.message();
}

TEST(SshForward, MegabytesBothWays) {
  const std::string big(3 << 20, 'u');
  const std::string big_length = std::to_string(big.size());
  with_session(
      pg_spec(ssh_with_password()), [&](drivers::DriverSession& s) -> asio::awaitable<void> {
        const auto down = co_await scalar(s, "SELECT repeat('d', 4000000)");
        EXPECT_EQ(down ? down->size() : 0, 4000000u);
        std::vector<std::optional<std::string>> params{
            big};  // named: GCC 12 and braces in co_await
        const auto up = co_await scalar(s, "SELECT length($1::text)::text", std::move(params));
        EXPECT_EQ(up.value_or(""), big_length);
      });
  with_session(
      mysql_spec(ssh_with_password()), [&](drivers::DriverSession& s) -> asio::awaitable<void> {
        const auto down = co_await scalar(s, "SELECT REPEAT('d', 4000000)");
        EXPECT_EQ(down ? down->size() : 0, 4000000u);
        std::vector<std::optional<std::string>> params{big};
        const auto up = co_await scalar(s, "SELECT CAST(LENGTH(?) AS CHAR)", std::move(params));
        EXPECT_EQ(up.value_or(""), big_length);
      });
}

TEST(SshForward, SeveralQueriesInOneSession) {
  with_session(pg_spec(ssh_with_password()),
               [&](drivers::DriverSession& s) -> asio::awaitable<void> {
                 for (int i = 0; i < 50; ++i) {
                   const auto value = co_await scalar(s, "SELECT " + std::to_string(i) + "::text");
                   EXPECT_EQ(value.value_or(""), std::to_string(i));
                 }
               });
}

TEST(SshForward, ForwardToAClosedPortIsRefused) {
  ClosedPort closed;
  auto spec = pg_spec(ssh_with_password());
  spec.port = closed.port();
  const auto run = run_test(spec);
  EXPECT_EQ(run.stage(), "tunnel_open") << run.message();
  EXPECT_EQ(run.reason(), "tunnel_refused");
  EXPECT_NE(run.message().find("127.0.0.1:" + std::to_string(closed.port())), std::string::npos)
      << run.message();
  EXPECT_EQ(run.trail.back(), "tunnel_open:failed");
}

TEST(SshForward, DatabaseFailureBehindTheTunnelIsTheDriversStage) {
  auto spec = pg_spec(ssh_with_password());
  spec.password = "wrong-db-password";
  const auto run = run_test(spec);
  EXPECT_EQ(run.stage(), "authenticate") << run.message();
  EXPECT_EQ(run.reason(), "auth_failed");
  EXPECT_EQ(run.record("tunnel_open").status, "ok");
}

TEST(SshForward, SilentBastionHitsTheStageDeadline) {
  SilentListener silent;
  auto ssh = ssh_with_password();
  ssh.port = silent.port();
  const auto run = run_test(pg_spec(ssh), false, 1500ms, 20s);
  EXPECT_EQ(run.stage(), "ssh_connect") << run.message();
  EXPECT_EQ(run.reason(), "timeout");
  EXPECT_GE(run.elapsed_ms, 1400);
  EXPECT_LT(run.elapsed_ms, 3000);
  EXPECT_EQ(silent.accepted(), 1);
}

TEST(SshForward, SilentBastionWithinTheOverallDeadline) {
  SilentListener silent;
  auto ssh = ssh_with_password();
  ssh.port = silent.port();
  const auto run = run_test(pg_spec(ssh), false, 10s, 1200ms);
  EXPECT_EQ(run.reason(), "timeout") << run.message();
  EXPECT_LT(run.elapsed_ms, 2500);
}

TEST(SshForward, ClosedBastionPort) {
  ClosedPort closed;
  auto ssh = ssh_with_password();
  ssh.port = closed.port();
  const auto run = run_test(pg_spec(ssh));
  EXPECT_EQ(run.stage(), "ssh_connect") << run.message();
  EXPECT_EQ(run.reason(), "ssh_connect_failed");
}

TEST(SshForward, BastionDeniedByTheEgressPolicy) {
  const drivers::EgressPolicy deny_loopback({}, {"127.0.0.0/8"});
  const auto run = run_test(pg_spec(ssh_with_password()), false, 10s, 30s, deny_loopback);
  EXPECT_EQ(run.stage(), "resolve") << run.message();
  EXPECT_EQ(run.reason(), "egress_denied");
  EXPECT_EQ(run.trail.back(), "resolve:failed");
}

TEST(SshForward, BastionByNameIsResolved) {
  auto ssh = ssh_with_password();
  ssh.host = "localhost";  // ::1 may come first; sshd listens on 127.0.0.1 only
  const auto run = run_test(pg_spec(ssh));
  EXPECT_TRUE(run.ok()) << run.message();
}

}  // namespace
}  // namespace dsb::test
