// The bastion's host key: a pin that matches, one that does not (refused
// before any credential or even the user name is sent), trust on first use
// reporting the key seen, and the switch that requires a pin.
#include "tests/integration/ssh/ssh_fixture.hpp"

#include <thread>

namespace dsb::test {
namespace {

bool log_mentions(const std::string& needle, std::chrono::milliseconds wait) {
  const auto until = std::chrono::steady_clock::now() + wait;
  do {
    if (sshd_log().find(needle) != std::string::npos) return true;
    std::this_thread::sleep_for(50ms);
  } while (std::chrono::steady_clock::now() < until);
  return false;
}

TEST(SshHostKey, FingerprintIsTheOneSshKeygenPrints) {
  const std::string expected = ssh_line("host_fingerprint");
  ASSERT_EQ(expected.rfind("SHA256:", 0), 0u) << expected;
  const auto run = run_test(pg_spec(ssh_with_password()));
  ASSERT_TRUE(run.ok()) << run.message();
  EXPECT_EQ(run.outcome.ssh_host_key_fingerprint, expected);
  const auto connect = run.record("ssh_connect");
  EXPECT_EQ(connect.detail.at("host_key_fingerprint").as_string(), expected);
  EXPECT_EQ(connect.detail.at("host_key_type").as_string(), "ssh-ed25519");
  EXPECT_EQ(connect.detail.at("pinned").as_bool(), false);
}

TEST(SshHostKey, MatchingPinConnects) {
  auto ssh = ssh_with_key("id_ed25519");
  ssh.host_key_fingerprint = ssh_line("host_fingerprint");
  const auto run = run_test(pg_spec(ssh));
  ASSERT_TRUE(run.ok()) << run.message();
  EXPECT_EQ(run.record("ssh_connect").detail.at("pinned").as_bool(), true);
}

TEST(SshHostKey, PinWithBase64PaddingStillMatches) {
  auto ssh = ssh_with_password();
  ssh.host_key_fingerprint = ssh_line("host_fingerprint") + "=";
  EXPECT_TRUE(run_test(pg_spec(ssh)).ok());
}

TEST(SshHostKey, WrongPinFailsBeforeAnyCredentialIsSent) {
  // A user name no other test uses: sshd logs it as soon as any
  // authentication request (even "none") arrives.
  const std::string user = unique_name("pinprobe");
  auto ssh = ssh_with_password();
  ssh.username = user;
  ssh.host_key_fingerprint = ssh_line("host_fingerprint_rsa");  // the bastion's other key
  const auto run = run_test(pg_spec(ssh));
  EXPECT_EQ(run.stage(), "ssh_connect") << run.message();
  EXPECT_EQ(run.reason(), "host_key_mismatch") << run.message();
  EXPECT_EQ(run.trail.back(), "ssh_connect:failed");
  EXPECT_NE(run.message().find(ssh_line("host_fingerprint")), std::string::npos) << run.message();
  EXPECT_NE(run.message().find(ssh.host_key_fingerprint), std::string::npos) << run.message();
  EXPECT_EQ(run.outcome.ssh_host_key_fingerprint, ssh_line("host_fingerprint"));
  expect_no_secret(run.message());
  EXPECT_FALSE(log_mentions(user, 300ms)) << "the user name reached the bastion";

  // The control: with the right pin the same name does reach the bastion.
  ssh.host_key_fingerprint = ssh_line("host_fingerprint");
  const auto control = run_test(pg_spec(ssh));
  EXPECT_EQ(control.reason(), "ssh_auth_failed") << control.message();
  EXPECT_TRUE(log_mentions(user, 3s));
}

TEST(SshHostKey, PinOfAnUnrelatedKeyFails) {
  auto ssh = ssh_with_key("id_ed25519");
  ssh.host_key_fingerprint = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  const auto run = run_test(pg_spec(ssh));
  EXPECT_EQ(run.reason(), "host_key_mismatch") << run.message();
  EXPECT_EQ(run.stage(), "ssh_connect");
}

TEST(SshHostKey, RequiredPinRefusesTrustOnFirstUseAndNamesTheKey) {
  auto ssh = ssh_with_password();
  ssh.require_host_key = true;
  const auto run = run_test(pg_spec(ssh));
  EXPECT_EQ(run.stage(), "ssh_connect") << run.message();
  EXPECT_EQ(run.reason(), "host_key_mismatch");
  EXPECT_NE(run.message().find("connections.require_ssh_host_key"), std::string::npos)
      << run.message();
  EXPECT_NE(run.message().find(ssh_line("host_fingerprint")), std::string::npos) << run.message();
  EXPECT_EQ(run.outcome.ssh_host_key_fingerprint, ssh_line("host_fingerprint"));

  ssh.host_key_fingerprint = ssh_line("host_fingerprint");
  EXPECT_TRUE(run_test(pg_spec(ssh)).ok());
}

}  // namespace
}  // namespace dsb::test
