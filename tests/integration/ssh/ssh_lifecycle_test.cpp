// What a tunnel leaves behind: nothing. Every listener, socket and channel of
// a test is gone once the test's work on the io_context has finished, on
// success and on every kind of failure; the bastion's per-connection process
// ends with it; and 50 tests through one bastion at once all succeed on one
// thread that never stalls.
#include "tests/integration/ssh/ssh_fixture.hpp"

#include "drivers/ssh/ssh_tunnel.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fstream>
#include <thread>

namespace dsb::test {
namespace {

struct Baseline {
  int fds = open_fds();
  int listening = listening_sockets();
};

// `held_elsewhere`: sockets a helper of the test itself still holds (the
// silent listener keeps what it accepted).
void expect_back_to(const Baseline& before, const std::string& what, int held_elsewhere = 0) {
  EXPECT_EQ(drivers::ssh::live_tunnels(), 0) << what;
  EXPECT_EQ(listening_sockets(), before.listening) << what;
  EXPECT_EQ(open_fds(), before.fds + held_elsewhere) << what;
}

int children_of(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  int n = 0;
  for (int child = 0; in >> child;) ++n;
  return n;
}

TEST(SshLifecycle, NothingOutlivesATestWhateverItsEnd) {
  run_test(pg_spec(ssh_with_password()));  // warm-up: libraries' one-time state
  ClosedPort closed;
  SilentListener silent;
  const Baseline with_helpers;

  expect_back_to(with_helpers, "nothing run yet");
  EXPECT_TRUE(run_test(pg_spec(ssh_with_password()), true).ok());
  expect_back_to(with_helpers, "postgres ok");
  EXPECT_TRUE(run_test(mysql_spec(ssh_with_key("id_rsa")), true).ok());
  expect_back_to(with_helpers, "mariadb ok");

  auto refused = pg_spec(ssh_with_password());
  refused.port = closed.port();
  EXPECT_EQ(run_test(refused).reason(), "tunnel_refused");
  expect_back_to(with_helpers, "tunnel refused");

  EXPECT_EQ(run_test(pg_spec(ssh_with_password("wrong"))).reason(), "ssh_auth_failed");
  expect_back_to(with_helpers, "wrong password");

  auto pinned = ssh_with_password();
  pinned.host_key_fingerprint = ssh_line("host_fingerprint_rsa");
  EXPECT_EQ(run_test(pg_spec(pinned)).reason(), "host_key_mismatch");
  expect_back_to(with_helpers, "host key mismatch");

  auto bad_db = pg_spec(ssh_with_password());
  bad_db.password = "wrong";
  EXPECT_EQ(run_test(bad_db).reason(), "auth_failed");
  expect_back_to(with_helpers, "database refused the driver");

  auto silent_ssh = ssh_with_password();
  silent_ssh.port = silent.port();
  EXPECT_EQ(run_test(pg_spec(silent_ssh), false, 800ms).reason(), "timeout");
  EXPECT_EQ(silent.accepted(), 1);
  expect_back_to(with_helpers, "silent bastion", silent.accepted());
}

TEST(SshLifecycle, TheTunnelLivesExactlyAsLongAsTheSession) {
  const Baseline before;
  run_all([&]() -> asio::awaitable<bool> {
    drivers::StageReporter reporter;
    drivers::EgressPolicy egress;
    const auto now = drivers::Clock::now();
    auto session = co_await drivers::open_session(pg_spec(ssh_with_password()), egress, reporter,
                                                  now + 10s, now + 30s);
    EXPECT_TRUE(session) << (session ? "" : session.error().message);
    EXPECT_EQ(drivers::ssh::live_tunnels(), 1);
    // The listener took the driver's connection and closed: no port stays open.
    EXPECT_EQ(listening_sockets(), before.listening);
    if (session) {
      const auto probed = co_await (*session)->probe(drivers::Clock::now() + 10s);
      EXPECT_TRUE(probed);
    }
    if (session) session->reset();  // closes the driver's connection, then the tunnel
    co_return true;
  }());
  expect_back_to(before, "session destroyed");
}

TEST(SshLifecycle, TheBastionsConnectionEndsWithTheTest) {
  PrivateSshd sshd({"PasswordAuthentication yes", "UsePAM no"});
  if (!sshd.started()) GTEST_SKIP() << "starting an sshd needs root";
  auto ssh = ssh_with_password();
  ssh.port = sshd.port();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(run_test(pg_spec(ssh)).ok());
  // sshd forks a process per connection, which exits when our side ends.
  const auto until = drivers::Clock::now() + 5s;
  while (children_of(sshd.pid()) > 0 && drivers::Clock::now() < until)
    std::this_thread::sleep_for(20ms);
  EXPECT_EQ(children_of(sshd.pid()), 0);
  const std::string log = sshd.log();
  EXPECT_NE(log.find("Received disconnect from 127.0.0.1"), std::string::npos) << log;
}

struct ConcurrentRun {
  std::vector<std::optional<drivers::TestOutcome>> outcomes;
  std::vector<std::vector<std::string>> trails;
  double worst_tick_late_ms = 0;  // of a 10 ms ticker on the same thread
  double total_ms = 0;
};

// Runs one connection test per spec, all at once on one io_context (this
// thread), beside a ticker whose lateness shows any call that blocks.
ConcurrentRun run_concurrently(const std::vector<drivers::ConnectionSpec>& specs,
                               bool fetch_schema) {
  ConcurrentRun out;
  out.outcomes.resize(specs.size());
  asio::io_context io;
  drivers::EgressPolicy egress;
  std::vector<std::unique_ptr<drivers::StageReporter>> reporters;
  std::size_t done = 0;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    reporters.push_back(std::make_unique<drivers::StageReporter>());
    drivers::TestRequest request{specs[i], fetch_schema && i % 2 == 0, {}, {30s, 60s, 60s}};
    asio::co_spawn(io, drivers::run_connection_test(std::move(request), egress, *reporters.back()),
                   [&, i](std::exception_ptr e, drivers::TestOutcome outcome) {
                     EXPECT_FALSE(e);
                     out.outcomes[i] = std::move(outcome);
                     ++done;
                   });
  }
  auto ticker = [&]() -> asio::awaitable<void> {
    asio::steady_timer timer(io);
    while (done < specs.size()) {
      const auto due = drivers::Clock::now() + 10ms;
      timer.expires_at(due);
      co_await timer.async_wait(asio::use_awaitable);
      out.worst_tick_late_ms = std::max(out.worst_tick_late_ms, ms_since(due));
    }
  };
  asio::co_spawn(io, ticker(), asio::detached);
  const auto start = drivers::Clock::now();
  io.run();
  out.total_ms = ms_since(start);
  for (const auto& r : reporters) out.trails.push_back(stage_trail(*r));
  return out;
}

TEST(SshLifecycle, FiftyConcurrentTestsThroughOneBastion) {
  constexpr int kTests = 50;
  run_test(pg_spec(ssh_with_password()));  // warm-up
  const Baseline before;
  std::vector<drivers::ConnectionSpec> specs;
  for (int i = 0; i < kTests; ++i) {
    switch (i % 4) {
      case 0:
        specs.push_back(pg_spec(ssh_with_password()));
        break;
      case 1:
        specs.push_back(mysql_spec(ssh_with_password()));
        break;
      case 2:
        specs.push_back(pg_spec(ssh_with_key("id_ed25519")));
        break;
      default:
        specs.push_back(mysql_spec(ssh_with_key("id_ecdsa")));
        break;
    }
  }
  const auto run = run_concurrently(specs, true);
  for (std::size_t i = 0; i < specs.size(); ++i) {
    ASSERT_TRUE(run.outcomes[i]) << i;
    EXPECT_FALSE(run.outcomes[i]->failure) << i << ": " << run.outcomes[i]->failure->message;
    EXPECT_EQ(run.trails[i].at(4), "tunnel_open:ok") << i;
  }
  // A blocking call would show as one long gap (a passphrase key derivation
  // on this thread: ~500 ms); the slack absorbs a loaded two-core machine.
  EXPECT_LT(run.worst_tick_late_ms, 400);
  RecordProperty("worst_tick_late_ms", std::to_string(run.worst_tick_late_ms));
  RecordProperty("total_ms", std::to_string(run.total_ms));
  std::cout << kTests << " tunnelled tests in " << run.total_ms << " ms; worst ticker lateness "
            << run.worst_tick_late_ms << " ms\n";
  expect_back_to(before, "after 50 concurrent tests");
}

TEST(SshLifecycle, PassphraseKeysDoNotStallTheThread) {
  // Their key derivation (bcrypt_pbkdf) runs on the blocking pool.
  std::vector<drivers::ConnectionSpec> specs(4,
                                             pg_spec(ssh_with_key("id_ed25519_pass", "keypass")));
  const auto run = run_concurrently(specs, false);
  for (const auto& outcome : run.outcomes) {
    ASSERT_TRUE(outcome);
    EXPECT_FALSE(outcome->failure) << outcome->failure->message;
  }
  // On this thread each derivation would stall it ~500 ms; the slack absorbs
  // a loaded machine (the pool's two threads compete for the same cores).
  EXPECT_LT(run.worst_tick_late_ms, 350);
  std::cout << "4 passphrase-key tests in " << run.total_ms << " ms; worst ticker lateness "
            << run.worst_tick_late_ms << " ms\n";
}

}  // namespace
}  // namespace dsb::test
