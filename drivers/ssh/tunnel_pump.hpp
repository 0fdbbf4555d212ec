// The loopback end of an SSH tunnel: a listener on 127.0.0.1 (ephemeral
// port) that accepts one connection, the driver's, and a coroutine on the
// caller's executor that copies bytes both ways between that connection and
// the SSH channel. When either side ends, the channel is closed, then the
// session, and every socket with them.
#pragma once

#include "core/failure.hpp"
#include "drivers/connection_spec.hpp"
#include "drivers/ssh/ssh_session.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>

typedef struct _LIBSSH2_CHANNEL LIBSSH2_CHANNEL;

namespace dsb::drivers::ssh {

class TunnelPump : public std::enable_shared_from_this<TunnelPump> {
 public:
  // Binds the listener; a Failure when the system gives no port.
  static Result<std::shared_ptr<TunnelPump>> listen(boost::asio::any_io_executor executor);
  ~TunnelPump();

  std::uint16_t port() const { return port_; }

  // Takes `session` and its open `channel` and starts pumping. A connection
  // is accepted only from a socket of this process (the driver's); anything
  // else is closed. Without a connection by `accept_deadline`, it all ends.
  void start(std::unique_ptr<SshSession> session, LIBSSH2_CHANNEL* channel,
             Deadline accept_deadline);

  // The owner is done: what the driver sent before closing is still
  // forwarded (for at most a short linger), then the tunnel ends.
  void release();

  // Tunnels whose pump has not finished yet, in this process (for tests).
  static int live_count();

 private:
  explicit TunnelPump(boost::asio::any_io_executor executor);
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<bool> accept();
  boost::asio::awaitable<void> pump();
  boost::asio::awaitable<void> finish();
  bool lingered_out() const;

  boost::asio::any_io_executor executor_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::tcp::socket local_;
  boost::asio::steady_timer wake_;  // deadlines, and release() cancels it to wake the pump
  std::unique_ptr<SshSession> ssh_;
  LIBSSH2_CHANNEL* channel_ = nullptr;
  std::uint16_t port_ = 0;
  Deadline accept_deadline_{};
  Deadline linger_deadline_ = Deadline::max();
  bool released_ = false;
};

}  // namespace dsb::drivers::ssh
