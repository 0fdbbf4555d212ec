// wait_socket on a socketpair: readiness, deadlines, and the descriptor
// staying open and owned by the caller.
#include "drivers/socket_wait.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <optional>

namespace dsb::drivers {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class SocketWaitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds_), 0);
  }
  void TearDown() override {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }

  WaitOutcome wait(Interest interest, Deadline deadline) {
    std::optional<WaitOutcome> out;
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> { out = co_await wait_socket(fds_[0], interest, deadline); },
        asio::detached);
    io_.restart();
    io_.run();
    return *out;
  }

  static double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  }

  asio::io_context io_;
  int fds_[2] = {-1, -1};
};

TEST_F(SocketWaitTest, WritableAtOnce) {
  const WaitOutcome out = wait(Interest::write, Clock::now() + 1s);
  EXPECT_EQ(out.status, WaitStatus::ready);
  EXPECT_TRUE(out.writable);
  EXPECT_FALSE(out.readable);
}

TEST_F(SocketWaitTest, ReadTimesOutAtTheDeadlineAndNotBefore) {
  const auto start = Clock::now();
  const WaitOutcome out = wait(Interest::read, start + 150ms);
  const double elapsed = ms_since(start);
  EXPECT_EQ(out.status, WaitStatus::timed_out);
  EXPECT_GE(elapsed, 149.0);
  EXPECT_LT(elapsed, 250.0);
}

TEST_F(SocketWaitTest, ReadableWhenThePeerWrites) {
  asio::steady_timer later(io_, 50ms);
  later.async_wait([&](boost::system::error_code) { (void)::write(fds_[1], "x", 1); });
  const auto start = Clock::now();
  const WaitOutcome out = wait(Interest::read, start + 2s);
  EXPECT_EQ(out.status, WaitStatus::ready);
  EXPECT_TRUE(out.readable);
  EXPECT_LT(ms_since(start), 500.0);
}

TEST_F(SocketWaitTest, AlreadyReadableDataIsSeen) {
  ASSERT_EQ(::write(fds_[1], "x", 1), 1);
  const WaitOutcome out = wait(Interest::read, Clock::now() + 1s);
  EXPECT_EQ(out.status, WaitStatus::ready);
  EXPECT_TRUE(out.readable);
}

TEST_F(SocketWaitTest, ReadOrWriteReportsWhichOne) {
  const WaitOutcome out = wait(Interest::read_or_write, Clock::now() + 1s);
  EXPECT_EQ(out.status, WaitStatus::ready);
  EXPECT_TRUE(out.writable || out.readable);
}

TEST_F(SocketWaitTest, ThePeerClosingWakesAReader) {
  ::close(fds_[1]);
  fds_[1] = ::open("/dev/null", O_RDONLY | O_CLOEXEC);  // keep TearDown simple
  const WaitOutcome out = wait(Interest::read, Clock::now() + 1s);
  EXPECT_EQ(out.status, WaitStatus::ready);
}

TEST_F(SocketWaitTest, PassedDeadlineReturnsAtOnce) {
  const WaitOutcome out = wait(Interest::write, Clock::now() - 1ms);
  EXPECT_EQ(out.status, WaitStatus::timed_out);
}

TEST_F(SocketWaitTest, BadDescriptorFails) {
  std::optional<WaitOutcome> out;
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        out = co_await wait_socket(-1, Interest::read, Clock::now() + 1s);
      },
      asio::detached);
  io_.run();
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, WaitStatus::failed);
}

TEST_F(SocketWaitTest, TheDescriptorStaysOpenAndCanBeWaitedOnAgain) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(wait(Interest::write, Clock::now() + 1s).status, WaitStatus::ready);
    EXPECT_EQ(wait(Interest::read, Clock::now() + 20ms).status, WaitStatus::timed_out);
  }
  EXPECT_NE(::fcntl(fds_[0], F_GETFD), -1);  // not closed by the waits
  ASSERT_EQ(::write(fds_[0], "y", 1), 1);
  char c = 0;
  EXPECT_EQ(::read(fds_[1], &c, 1), 1);
  EXPECT_EQ(c, 'y');
}

TEST_F(SocketWaitTest, ManyWaitsShareOneThread) {
  // 50 waits on 50 sockets, each with its own deadline, all on one thread.
  std::vector<std::array<int, 2>> pairs(50);
  for (auto& p : pairs)
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, p.data()), 0);
  int timed_out = 0;
  const auto start = Clock::now();
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    asio::co_spawn(
        io_,
        [&, i]() -> asio::awaitable<void> {
          auto out = co_await wait_socket(pairs[i][0], Interest::read,
                                          start + std::chrono::milliseconds(50 + i));
          if (out.status == WaitStatus::timed_out) ++timed_out;
        },
        asio::detached);
  }
  io_.run();
  EXPECT_EQ(timed_out, 50);
  EXPECT_LT(ms_since(start), 400.0);
  for (auto& p : pairs) {
    ::close(p[0]);
    ::close(p[1]);
  }
}

TEST(WaitUntil, SleepsUntilTheDeadline) {
  asio::io_context io;
  const auto start = Clock::now();
  asio::co_spawn(io, wait_until(start + 60ms), asio::detached);
  io.run();
  EXPECT_GE(Clock::now() - start, 59ms);
}

}  // namespace
}  // namespace dsb::drivers
