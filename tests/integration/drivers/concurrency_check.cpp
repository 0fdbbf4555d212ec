#include "tests/integration/drivers/concurrency_check.hpp"

#include "tests/integration/drivers/driver_test_util.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace dsb::test {

ConcurrencyReport connect_concurrently(
    drivers::Driver& driver, int count,
    const std::function<drivers::ConnectTarget(int)>& make_target) {
  asio::io_context io;
  ConcurrencyReport report;
  report.reasons.resize(static_cast<std::size_t>(count));
  report.late_ms.resize(static_cast<std::size_t>(count));
  int finished = 0;
  bool done = false;
  const auto start = std::chrono::steady_clock::now();

  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(io);
        auto next = std::chrono::steady_clock::now() + 10ms;
        while (!done) {
          timer.expires_at(next);
          co_await timer.async_wait(asio::use_awaitable);
          const double late =
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - next)
                  .count();
          report.max_tick_late_ms = std::max(report.max_tick_late_ms, late);
          ++report.ticks;
          next += 10ms;
        }
      },
      asio::detached);

  for (int i = 0; i < count; ++i) {
    asio::co_spawn(
        io,
        [&, i]() -> asio::awaitable<void> {
          const drivers::ConnectTarget target = make_target(i);
          drivers::StageReporter reporter;
          auto session = co_await driver.connect(target, reporter);
          const auto index = static_cast<std::size_t>(i);
          report.reasons[index] = session ? "connected" : session.error().reason;
          report.late_ms[index] = std::chrono::duration<double, std::milli>(drivers::Clock::now() -
                                                                            target.connect_deadline)
                                      .count();
          if (++finished == count) done = true;
        },
        asio::detached);
  }
  io.run();
  report.total_ms = ms_since(start);
  return report;
}

}  // namespace dsb::test
