#include "drivers/ssh/ssh_tunnel.hpp"

#include "drivers/driver.hpp"
#include "drivers/ssh/ssh_stages.hpp"
#include "drivers/ssh/tunnel_pump.hpp"

#include <boost/asio/this_coro.hpp>

#include <libssh2.h>

#include <functional>

namespace dsb::drivers::ssh {

namespace asio = boost::asio;

namespace {

Failure channel_failure(StageReporter& reporter, int rc, const SshSession& s,
                        const std::string& where) {
  switch (rc) {
    case kTimedOut:
      return stage_failed(reporter, reason::timeout,
                          "the bastion did not open the tunnel before the deadline");
    case LIBSSH2_ERROR_CHANNEL_FAILURE:
    case LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED:
    case LIBSSH2_ERROR_REQUEST_DENIED:
      return stage_failed(reporter, reason::tunnel_refused,
                          "the bastion refused to forward to " + where + ": " + s.last_error());
    default:
      return stage_failed(
          reporter, reason::ssh_connect_failed,
          "the connection to the bastion failed while opening the tunnel: " + s.last_error());
  }
}

std::string host_port(const std::string& host, std::uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

asio::awaitable<Result<LIBSSH2_CHANNEL*>> open_channel(SshSession& s, const std::string& host,
                                                       std::uint16_t port,
                                                       std::uint16_t origin_port, Deadline deadline,
                                                       StageReporter& reporter) {
  LIBSSH2_CHANNEL* channel = nullptr;
  const std::function<int()> open = [&] {  // named: GCC 12 and lambdas inside co_await
    channel =
        libssh2_channel_direct_tcpip_ex(s.get(), host.c_str(), port, "127.0.0.1", origin_port);
    return channel != nullptr ? 0 : libssh2_session_last_errno(s.get());
  };
  const int rc = co_await s.drive(open, deadline);
  if (rc != 0 || channel == nullptr)
    co_return channel_failure(reporter, rc, s, host_port(host, port));
  co_return channel;
}

SshTunnel::SshTunnel(std::shared_ptr<TunnelPump> pump) : pump_(std::move(pump)) {}

SshTunnel::~SshTunnel() {
  pump_->release();
}

std::uint16_t SshTunnel::port() const {
  return pump_->port();
}

int live_tunnels() {
  return TunnelPump::live_count();
}

asio::awaitable<Result<std::unique_ptr<SshTunnel>>> open_tunnel(TunnelRequest request,
                                                                StageReporter& reporter,
                                                                std::string* seen_fingerprint) {
  const SshSettings& ssh = request.ssh;
  auto stage_deadline = [&] {
    return std::min(Clock::now() + request.stage_timeout, request.overall_deadline);
  };

  reporter.begin("ssh_connect");
  BastionKey key;
  auto session =
      co_await connect_bastion(ssh, request.bastion_addresses, stage_deadline(), reporter, &key);
  if (seen_fingerprint != nullptr) *seen_fingerprint = key.fingerprint;
  if (!session) co_return session.error();
  reporter.ok({{"host_key_type", key.type},
               {"host_key_fingerprint", key.fingerprint},
               {"pinned", !ssh.host_key_fingerprint.empty()}});

  reporter.begin("ssh_auth");
  auto method = co_await authenticate(**session, ssh, stage_deadline(), reporter);
  if (!method) co_return method.error();
  reporter.ok({{"method", *method}});

  reporter.begin("tunnel_open");
  auto pump = TunnelPump::listen(co_await asio::this_coro::executor);
  if (!pump) co_return stage_failed(reporter, reason::protocol_error, pump.error().message);
  auto channel = co_await open_channel(**session, request.target_host, request.target_port,
                                       (*pump)->port(), stage_deadline(), reporter);
  if (!channel) co_return channel.error();
  // The driver dials the listener first thing in its own connect stage.
  (*pump)->start(std::move(*session), *channel, stage_deadline());
  reporter.ok({{"local_port", (*pump)->port()}});
  co_return std::make_unique<SshTunnel>(std::move(*pump));
}

}  // namespace dsb::drivers::ssh
