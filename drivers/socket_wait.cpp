#include "drivers/socket_wait.hpp"

#include <boost/asio/deferred.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace dsb::drivers {

namespace asio = boost::asio;
using asio::experimental::make_parallel_group;
using asio::experimental::wait_for_one;
using Descriptor = asio::posix::stream_descriptor;

namespace {

// Hands the descriptor back to its owner: release() deregisters it from the
// reactor without closing it.
struct ReleaseOnExit {
  Descriptor& descriptor;
  ~ReleaseOnExit() { descriptor.release(); }
};

WaitOutcome failed(boost::system::error_code ec) {
  return {WaitStatus::failed, false, false, ec};
}

// Interprets a race between one socket wait and the deadline timer.
WaitOutcome race_result(std::size_t first, boost::system::error_code socket_ec,
                        boost::system::error_code timer_ec, Interest interest) {
  if (first == 0) {
    if (socket_ec) return failed(socket_ec);
    return {WaitStatus::ready, interest == Interest::read, interest == Interest::write, {}};
  }
  if (timer_ec) return failed(timer_ec);  // cancelled from outside
  return {WaitStatus::timed_out, false, false, {}};
}

}  // namespace

asio::awaitable<WaitOutcome> wait_socket(int fd, Interest interest, Deadline deadline) {
  if (fd < 0) co_return failed(asio::error::bad_descriptor);
  if (Clock::now() >= deadline) co_return WaitOutcome{WaitStatus::timed_out, false, false, {}};

  const auto executor = co_await asio::this_coro::executor;
  Descriptor descriptor(executor);
  boost::system::error_code ec;
  descriptor.assign(fd, ec);
  if (ec) co_return failed(ec);
  ReleaseOnExit release{descriptor};
  asio::steady_timer timer(executor, deadline);

  if (interest != Interest::read_or_write) {
    const auto what = interest == Interest::read ? Descriptor::wait_read : Descriptor::wait_write;
    auto [order, socket_ec, timer_ec] =
        co_await make_parallel_group(descriptor.async_wait(what, asio::deferred),
                                     timer.async_wait(asio::deferred))
            .async_wait(wait_for_one(), asio::use_awaitable);
    co_return race_result(order[0], socket_ec, timer_ec, interest);
  }

  auto [order, read_ec, write_ec, timer_ec] =
      co_await make_parallel_group(descriptor.async_wait(Descriptor::wait_read, asio::deferred),
                                   descriptor.async_wait(Descriptor::wait_write, asio::deferred),
                                   timer.async_wait(asio::deferred))
          .async_wait(wait_for_one(), asio::use_awaitable);
  switch (order[0]) {
    case 0:
      co_return race_result(0, read_ec, {}, Interest::read);
    case 1:
      co_return race_result(0, write_ec, {}, Interest::write);
    default:
      co_return race_result(1, {}, timer_ec, interest);
  }
}

asio::awaitable<void> wait_until(Deadline deadline) {
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace dsb::drivers
