#include "drivers/ssh/tunnel_pump.hpp"

#include "drivers/ssh/ready_wait.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <dirent.h>
#include <libssh2.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <vector>

namespace dsb::drivers::ssh {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kBufferBytes = 32 * 1024;  // one SSH channel packet
// After release(): how long the driver's last bytes may take to pass.
constexpr auto kLinger = std::chrono::seconds(2);
// Closing the channel and saying goodbye to the bastion, at most.
constexpr auto kGoodbye = std::chrono::seconds(1);

std::atomic<int> g_live{0};

std::optional<tcp::endpoint> endpoint_of(int fd, bool peer) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  auto* address = reinterpret_cast<sockaddr*>(&storage);
  if ((peer ? ::getpeername(fd, address, &length) : ::getsockname(fd, address, &length)) != 0)
    return std::nullopt;
  if (storage.ss_family != AF_INET && storage.ss_family != AF_INET6) return std::nullopt;
  tcp::endpoint out;
  std::memcpy(out.data(), &storage, length);
  out.resize(length);
  return out;
}

// True when `peer` is the near end of a socket of this process connected to
// `listener`: the driver's connection, not another local process's. When
// /proc is not there to ask, it cannot tell and says yes.
bool is_own_connection(const tcp::endpoint& peer, const tcp::endpoint& listener) {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return true;
  bool found = false;
  while (const dirent* entry = ::readdir(dir)) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == ::dirfd(dir)) continue;
    const auto near = endpoint_of(static_cast<int>(fd), false);
    if (!near || *near != peer) continue;
    const auto far = endpoint_of(static_cast<int>(fd), true);
    if (far && *far == listener) {
      found = true;
      break;
    }
  }
  ::closedir(dir);
  return found;
}

}  // namespace

TunnelPump::TunnelPump(asio::any_io_executor executor)
    : executor_(executor), acceptor_(executor), local_(executor), wake_(executor) {
  ++g_live;
}

TunnelPump::~TunnelPump() {
  --g_live;
}

int TunnelPump::live_count() {
  return g_live.load();
}

Result<std::shared_ptr<TunnelPump>> TunnelPump::listen(asio::any_io_executor executor) {
  std::shared_ptr<TunnelPump> pump(new TunnelPump(std::move(executor)));
  boost::system::error_code ec;
  const tcp::endpoint loopback(asio::ip::address_v4::loopback(), 0);
  pump->acceptor_.open(loopback.protocol(), ec);
  if (!ec) pump->acceptor_.bind(loopback, ec);
  if (!ec) pump->acceptor_.listen(1, ec);
  if (ec) return internal_error("cannot open the tunnel's loopback listener: " + ec.message());
  pump->port_ = pump->acceptor_.local_endpoint(ec).port();
  return pump;
}

void TunnelPump::start(std::unique_ptr<SshSession> session, LIBSSH2_CHANNEL* channel,
                       Deadline accept_deadline) {
  ssh_ = std::move(session);
  channel_ = channel;
  accept_deadline_ = accept_deadline;
  // The closure keeps the pump alive until its coroutine ends.
  asio::co_spawn(
      executor_, [self = shared_from_this()] { return self->run(); }, asio::detached);
}

void TunnelPump::release() {
  if (released_) return;
  released_ = true;
  linger_deadline_ = Clock::now() + kLinger;
  wake_.cancel();  // the pump re-reads its deadlines
}

bool TunnelPump::lingered_out() const {
  return released_ && Clock::now() >= linger_deadline_;
}

asio::awaitable<void> TunnelPump::run() {
  // Not `if (co_await ...)`: GCC 12 miscompiles a co_await in a condition.
  const bool accepted = co_await accept();
  if (accepted) co_await pump();
  co_await finish();
}

asio::awaitable<bool> TunnelPump::accept() {
  boost::system::error_code ec;
  const tcp::endpoint listener = acceptor_.local_endpoint(ec);
  for (;;) {
    if (released_ || Clock::now() >= accept_deadline_) co_return false;
    wake_.expires_at(accept_deadline_);
    auto first =
        co_await (acceptor_.async_accept(local_, asio::redirect_error(asio::use_awaitable, ec)) ||
                  timer_done(wake_));
    if (first.index() == 1) continue;  // released or past the deadline: checked above
    if (ec) co_return false;
    const auto peer = local_.remote_endpoint(ec);
    if (!ec && is_own_connection(peer, listener)) break;
    local_.close(ec);  // not the driver: it gets no way through
  }
  boost::system::error_code ignored;
  acceptor_.close(ignored);  // exactly one connection
  co_return true;
}

asio::awaitable<void> TunnelPump::pump() {
  boost::system::error_code ec;
  local_.non_blocking(true, ec);
  local_.set_option(tcp::no_delay(true), ec);
  std::vector<char> up(kBufferBytes);    // driver -> channel
  std::vector<char> down(kBufferBytes);  // channel -> driver
  std::size_t up_len = 0, up_off = 0, down_len = 0, down_off = 0;
  bool local_eof = false, channel_eof = false, local_shut = false;
  // libssh2 keeps a half-sent packet and wants the very call that sent it
  // repeated before any other call that sends: remember which one it was.
  enum class Pending { none, write, read } pending = Pending::none;
  auto pending_after_eagain = [&](Pending p) {
    return ssh_->outbound_pending() ? p : Pending::none;
  };

  for (;;) {
    bool progress = false;
    if (!local_eof && up_len == 0) {
      const std::size_t n = local_.read_some(asio::buffer(up), ec);
      if (ec != asio::error::would_block) {
        progress = true;
        if (ec)
          local_eof = true;  // end of stream or reset: the driver is done
        else
          up_len = n, up_off = 0;
      }
    }
    if (up_off < up_len && pending != Pending::read) {
      const auto rc = libssh2_channel_write(channel_, up.data() + up_off, up_len - up_off);
      if (rc == LIBSSH2_ERROR_EAGAIN) {
        pending = pending_after_eagain(Pending::write);
      } else if (rc < 0) {
        co_return;  // the session broke
      } else {
        pending = Pending::none;
        progress = progress || rc > 0;
        up_off += static_cast<std::size_t>(rc);
        if (up_off == up_len) up_off = up_len = 0;
      }
    }
    if (!channel_eof && down_len == 0 && pending != Pending::write) {
      const auto rc = libssh2_channel_read(channel_, down.data(), down.size());
      if (rc == LIBSSH2_ERROR_EAGAIN) {
        pending = pending_after_eagain(Pending::read);
      } else if (rc > 0) {
        pending = Pending::none;
        progress = true;
        down_len = static_cast<std::size_t>(rc), down_off = 0;
      } else if (rc == 0 || rc == LIBSSH2_ERROR_CHANNEL_CLOSED) {
        pending = Pending::none;
        if (rc != 0 || libssh2_channel_eof(channel_) != 0) channel_eof = progress = true;
      } else {
        co_return;
      }
    }
    if (down_off < down_len) {
      const std::size_t n =
          local_.write_some(asio::buffer(down.data() + down_off, down_len - down_off), ec);
      if (ec && ec != asio::error::would_block) co_return;  // the driver went away
      if (!ec) {
        progress = true;
        down_off += n;
        if (down_off == down_len) down_off = down_len = 0;
      }
    }
    if (local_eof && up_len == 0) co_return;  // the driver closed; all it sent has gone on
    if (channel_eof && down_len == 0 && !local_shut) {
      local_.shutdown(tcp::socket::shutdown_send, ec);  // the database side ended: tell the driver
      local_shut = true;
    }
    if (lingered_out()) co_return;
    if (progress) continue;

    // Nothing moved: wait for whichever side can move next. The session
    // socket is watched only while a libssh2 call is waiting on it, so unread
    // bytes there do not spin the loop while the driver is slow to read.
    const bool ssh_busy =
        pending != Pending::none || up_off < up_len || (!channel_eof && down_len == 0);
    const auto [ssh_read, ssh_write] = ssh_->wanted_directions();
    wake_.expires_at(linger_deadline_);
    co_await (socket_ready(ssh_->socket(), ssh_busy && ssh_read, ssh_busy && ssh_write) ||
              socket_ready(local_, !local_eof && up_len == 0, down_off < down_len) ||
              timer_done(wake_));
  }
}

asio::awaitable<void> TunnelPump::finish() {
  boost::system::error_code ignored;
  local_.close(ignored);  // the driver, if still there, sees the end
  acceptor_.close(ignored);
  if (ssh_ && channel_ != nullptr && !ssh_->outbound_pending()) {
    const Deadline by = Clock::now() + kGoodbye;
    // Named: GCC 12 destroys a lambda temporary inside a co_await twice.
    const std::function<int()> close = [this] { return libssh2_channel_close(channel_); };
    const std::function<int()> free = [this] { return libssh2_channel_free(channel_); };
    int rc = co_await ssh_->drive(close, by);
    if (rc == 0) rc = co_await ssh_->drive(free, by);
    if (rc == 0) {
      channel_ = nullptr;
      co_await ssh_->goodbye(by);
    }
  }
  ssh_.reset();  // frees the session and any channel left, closes the socket
  channel_ = nullptr;
}

}  // namespace dsb::drivers::ssh
