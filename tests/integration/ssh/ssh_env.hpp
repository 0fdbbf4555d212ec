// The test bastion: the private sshd of tests/services/start.sh
// (DSB_TEST_SSH_PORT, DSB_TEST_SSH_DIR) in front of the PostgreSQL and
// MariaDB it starts, its keys and log, a check that no secret leaked, and a
// second sshd of a test's own.
#pragma once

#include "tests/support/broker_process.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace dsb::test {

struct SshServices {
  std::uint16_t ssh_port = 0;
  std::string ssh_dir;  // id_ed25519, id_rsa, id_ecdsa, id_ed25519_pass, host_fingerprint, sshd.log
  std::uint16_t pg_port = 0;
  std::uint16_t mysql_port = 0;
};
SshServices ssh_services();

// A file of DSB_TEST_SSH_DIR, whole (a private key) or its first line (a fingerprint).
std::string ssh_file(const std::string& name);
std::string ssh_line(const std::string& name);

// sshd.log of the test bastion, whole.
std::string sshd_log();

// Fails unless `text` holds none of the test's secrets.
void expect_no_secret(const std::string& text);

// A second sshd of our own on a free port (root only), with the test
// bastion's ed25519 host key (or `host_key`), its users and keys, and `extra`
// config lines; stopped by the destructor.
class PrivateSshd {
 public:
  explicit PrivateSshd(const std::vector<std::string>& extra, const std::string& host_key = "");
  ~PrivateSshd();
  PrivateSshd(const PrivateSshd&) = delete;
  PrivateSshd& operator=(const PrivateSshd&) = delete;
  std::uint16_t port() const { return port_; }
  bool started() const { return pid_ > 0; }
  int pid() const { return pid_; }
  std::string log() const;

 private:
  TempDir dir_;
  int pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace dsb::test
