// Logging in on the bastion: the password, each kind of private key given as
// text (OpenSSH and PEM formats, ed25519, ECDSA, RSA, passphrase-protected),
// keyboard-interactive, and each way a credential can be wrong.
#include "tests/integration/ssh/ssh_fixture.hpp"

namespace dsb::test {
namespace {

const std::vector<std::string> kTunnelTrail = {
    "validate:ok",           "resolve:ok",      "ssh_connect:ok",
    "ssh_auth:ok",           "tunnel_open:ok",  "tcp_connect:ok",
    "tls_handshake:skipped", "authenticate:ok", "probe_query:ok"};

void expect_tunnel_ok(const TestRun& run, const std::string& method) {
  EXPECT_TRUE(run.ok()) << run.message();
  EXPECT_EQ(run.trail, kTunnelTrail);
  const auto auth = run.record("ssh_auth");
  ASSERT_TRUE(auth.detail.contains("method"));
  EXPECT_EQ(auth.detail.at("method").as_string(), method);
}

void expect_auth_failed(const TestRun& run, const std::string& words) {
  EXPECT_EQ(run.stage(), "ssh_auth") << run.message();
  EXPECT_EQ(run.reason(), "ssh_auth_failed") << run.message();
  EXPECT_NE(run.message().find(words), std::string::npos) << run.message();
  EXPECT_EQ(run.trail.back(), "ssh_auth:failed");
  expect_no_secret(run.message());
}

TEST(SshAuth, Password) {
  expect_tunnel_ok(run_test(pg_spec(ssh_with_password())), "password");
}

TEST(SshAuth, Ed25519KeyInOpenSshFormat) {
  ASSERT_NE(ssh_file("id_ed25519").find("BEGIN OPENSSH PRIVATE KEY"), std::string::npos);
  expect_tunnel_ok(run_test(pg_spec(ssh_with_key("id_ed25519"))), "publickey");
}

TEST(SshAuth, RsaKeyInPemFormat) {
  ASSERT_NE(ssh_file("id_rsa").find("BEGIN RSA PRIVATE KEY"), std::string::npos);
  expect_tunnel_ok(run_test(pg_spec(ssh_with_key("id_rsa"))), "publickey");
}

TEST(SshAuth, EcdsaKey) {
  expect_tunnel_ok(run_test(pg_spec(ssh_with_key("id_ecdsa"))), "publickey");
}

TEST(SshAuth, PassphraseProtectedKey) {
  expect_tunnel_ok(run_test(pg_spec(ssh_with_key("id_ed25519_pass", "keypass"))), "publickey");
}

TEST(SshAuth, KeyPastedWithWindowsLineEndsAndNoFinalNewline) {
  auto ssh = ssh_with_key("id_ed25519");
  std::string crlf;
  for (char c : ssh.private_key)
    if (c == '\n')
      crlf += "\r\n";
    else
      crlf += c;
  while (!crlf.empty() && (crlf.back() == '\n' || crlf.back() == '\r')) crlf.pop_back();
  ssh.private_key = crlf;
  expect_tunnel_ok(run_test(pg_spec(ssh)), "publickey");
}

TEST(SshAuth, KeyFirstThenPasswordWhenTheKeyIsRefused) {
  auto ssh = ssh_with_key("ssh_host_ed25519_key");  // a valid key the bastion does not know
  ssh.password = "testpass";
  expect_tunnel_ok(run_test(pg_spec(ssh)), "password");
}

TEST(SshAuth, WrongPassword) {
  const auto run = run_test(pg_spec(ssh_with_password("not-the-password")));
  expect_auth_failed(run, "refused the password for user 'sshtest'");
  EXPECT_EQ(run.message().find("not-the-password"), std::string::npos);
}

TEST(SshAuth, WrongKey) {
  expect_auth_failed(run_test(pg_spec(ssh_with_key("ssh_host_ed25519_key"))),
                     "refused the key for user 'sshtest'");
}

TEST(SshAuth, WrongPassphrase) {
  const auto run = run_test(pg_spec(ssh_with_key("id_ed25519_pass", "wrong-passphrase")));
  expect_auth_failed(run, "private key could not be read");
  EXPECT_EQ(run.message().find("wrong-passphrase"), std::string::npos);
}

TEST(SshAuth, MissingPassphrase) {
  expect_auth_failed(run_test(pg_spec(ssh_with_key("id_ed25519_pass"))),
                     "private key could not be read");
}

TEST(SshAuth, GarbageKey) {
  auto ssh = ssh_with_key("id_ed25519");
  ssh.private_key =
      "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAAnotakey\n-----END OPENSSH PRIVATE KEY-----\n";
  expect_auth_failed(run_test(pg_spec(ssh)), "private key could not be read");
}

TEST(SshAuth, UnknownUser) {
  auto ssh = ssh_with_password();
  ssh.username = "nobody-here";
  expect_auth_failed(run_test(pg_spec(ssh)), "refused the password for user 'nobody-here'");
}

TEST(SshAuth, KeyboardInteractiveAnsweredWithThePassword) {
  PrivateSshd sshd({"PasswordAuthentication no", "PubkeyAuthentication no",
                    "KbdInteractiveAuthentication yes", "UsePAM yes"});
  if (!sshd.started()) GTEST_SKIP() << "starting an sshd needs root";
  auto ssh = ssh_with_password();
  ssh.port = sshd.port();
  expect_tunnel_ok(run_test(pg_spec(ssh)), "keyboard-interactive");
  EXPECT_NE(sshd.log().find("Accepted keyboard-interactive/pam for sshtest"), std::string::npos)
      << sshd.log();

  ssh.password = "wrong";
  const auto run = run_test(pg_spec(ssh));
  EXPECT_EQ(run.reason(), "ssh_auth_failed") << run.message();
}

TEST(SshAuth, PasswordOnlyBastionRefusesAKeyWithAClearMessage) {
  PrivateSshd sshd({"PasswordAuthentication yes", "PubkeyAuthentication no",
                    "KbdInteractiveAuthentication no", "UsePAM no"});
  if (!sshd.started()) GTEST_SKIP() << "starting an sshd needs root";
  auto ssh = ssh_with_key("id_ed25519");
  ssh.port = sshd.port();
  expect_auth_failed(run_test(pg_spec(ssh)), "takes no keys (it offers password)");
}

}  // namespace
}  // namespace dsb::test
