// SSH tunnels for connection tests: one SSH session per tunnel (so tunnels
// through the same bastion never wait on one another), one direct-tcpip
// channel in it, and a loopback endpoint the driver dials instead of the
// database. Runs on the caller's executor, which must be single-threaded
// (a shard's io_context): only the tunnel's own coroutine touches libssh2.
#pragma once

#include "core/failure.hpp"
#include "drivers/connection_spec.hpp"
#include "drivers/stage_reporter.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>

#include <memory>
#include <string>
#include <vector>

namespace dsb::drivers::ssh {

class TunnelPump;

struct TunnelRequest {
  SshSettings ssh;  // bastion, credentials, pin
  std::vector<boost::asio::ip::address>
      bastion_addresses;    // resolved and allowed by the egress policy
  std::string target_host;  // the database as the bastion sees it
  std::uint16_t target_port = 0;
  Clock::duration stage_timeout{};  // each SSH stage's own deadline
  Deadline overall_deadline{};      // bounds every stage too
};

// A running tunnel. Destroying it (on the executor's thread) ends it: the
// driver's last bytes still go through, then the channel, the session and
// the listener close, within a couple of seconds at most.
class SshTunnel {
 public:
  explicit SshTunnel(std::shared_ptr<TunnelPump> pump);
  ~SshTunnel();
  SshTunnel(const SshTunnel&) = delete;
  SshTunnel& operator=(const SshTunnel&) = delete;

  // Where the driver connects instead of the database.
  std::string address() const { return "127.0.0.1"; }
  std::uint16_t port() const;

 private:
  std::shared_ptr<TunnelPump> pump_;
};

// Runs the stages ssh_connect, ssh_auth and tunnel_open (begun and ended on
// `reporter`). The bastion's host key fingerprint goes to
// `seen_fingerprint` (when given) as soon as it is known, even when a later
// check fails.
boost::asio::awaitable<Result<std::unique_ptr<SshTunnel>>> open_tunnel(
    TunnelRequest request, StageReporter& reporter, std::string* seen_fingerprint);

// Tunnels (sessions, channels, listeners) not yet fully closed in this process.
int live_tunnels();

}  // namespace dsb::drivers::ssh
