#include "drivers/ssh/ready_wait.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace dsb::drivers::ssh {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using tcp = asio::ip::tcp;

namespace {

asio::awaitable<void> one_direction(tcp::socket& socket, tcp::socket::wait_type what) {
  boost::system::error_code ec;  // an error is readiness too
  co_await socket.async_wait(what, asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> forever() {
  asio::steady_timer never(co_await asio::this_coro::executor,
                           asio::steady_timer::time_point::max());
  boost::system::error_code ec;  // ends only by cancellation
  co_await never.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace

asio::awaitable<void> socket_ready(tcp::socket& socket, bool read, bool write) {
  if (read && write)
    co_await (one_direction(socket, tcp::socket::wait_read) ||
              one_direction(socket, tcp::socket::wait_write));
  else if (read)
    co_await one_direction(socket, tcp::socket::wait_read);
  else if (write)
    co_await one_direction(socket, tcp::socket::wait_write);
  else
    co_await forever();
}

asio::awaitable<void> timer_done(asio::steady_timer& timer) {
  boost::system::error_code ec;  // cancelled = woken on purpose
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<bool> socket_ready_by(tcp::socket& socket, bool read, bool write,
                                      Deadline deadline) {
  if (Clock::now() >= deadline) co_return false;
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
  auto first = co_await (socket_ready(socket, read, write) || timer_done(timer));
  co_return first.index() == 0;
}

}  // namespace dsb::drivers::ssh
