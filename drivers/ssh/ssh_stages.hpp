// The three SSH stages of a connection test, each bounded by its own
// deadline: ssh_connect (TCP, handshake, host key check), ssh_auth and the
// channel of tunnel_open. The caller begins and ends each stage; these report
// only its failure, with a stable reason and a message free of secrets.
#pragma once

#include "core/failure.hpp"
#include "drivers/connection_spec.hpp"
#include "drivers/ssh/ssh_session.hpp"
#include "drivers/stage_reporter.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>

#include <memory>
#include <string>
#include <vector>

typedef struct _LIBSSH2_CHANNEL LIBSSH2_CHANNEL;

namespace dsb::drivers::ssh {

// Marks the current stage failed and returns the test failure for it.
Failure stage_failed(StageReporter& reporter, const char* why, std::string message);

struct BastionKey {
  std::string type;         // "ssh-ed25519", ...
  std::string fingerprint;  // "SHA256:..."
};

// Connects to the first of `addresses` (already resolved and allowed by the
// egress policy) that answers on ssh.port, runs the handshake and checks the
// host key against ssh.host_key_fingerprint before any credential is sent
// (with no pin: refused when ssh.require_host_key, else trusted). The key
// seen goes to `seen` even when the check fails.
boost::asio::awaitable<Result<std::unique_ptr<SshSession>>> connect_bastion(
    const SshSettings& ssh, const std::vector<boost::asio::ip::address>& addresses,
    Deadline deadline, StageReporter& reporter, BastionKey* seen);

// Logs in as ssh.username with the private key (and passphrase) and/or the
// password; keyboard-interactive is answered with the password when the
// bastion offers only that. Returns the method that worked.
boost::asio::awaitable<Result<std::string>> authenticate(SshSession& session,
                                                         const SshSettings& ssh, Deadline deadline,
                                                         StageReporter& reporter);

// A direct-tcpip channel to host:port as the bastion resolves them;
// tunnel_refused when the bastion says no.
boost::asio::awaitable<Result<LIBSSH2_CHANNEL*>> open_channel(
    SshSession& session, const std::string& host, std::uint16_t port, std::uint16_t origin_port,
    Deadline deadline, StageReporter& reporter);

}  // namespace dsb::drivers::ssh
