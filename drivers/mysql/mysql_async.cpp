#include "drivers/mysql/mysql_async.hpp"

#include "drivers/socket_wait.hpp"

namespace dsb::drivers::mysql {

namespace asio = boost::asio;

asio::awaitable<DriveResult> drive(MYSQL* mysql, int status, const std::function<int(int)>& resume,
                                   Deadline deadline, const std::function<void()>& on_yield) {
  while (status != 0) {
    if (on_yield) on_yield();
    Deadline until = deadline;
    bool library_timeout = false;
    if ((status & MYSQL_WAIT_TIMEOUT) != 0) {
      const auto asked =
          Clock::now() + std::chrono::milliseconds(mysql_get_timeout_value_ms(mysql));
      if (asked < until) {
        until = asked;
        library_timeout = true;
      }
    }

    int events = 0;
    const bool wants_read = (status & (MYSQL_WAIT_READ | MYSQL_WAIT_EXCEPT)) != 0;
    const bool wants_write = (status & MYSQL_WAIT_WRITE) != 0;
    if (!wants_read && !wants_write) {
      co_await wait_until(until);
      if (!library_timeout) co_return DriveResult{DriveEnd::timed_out, {}};
      events = MYSQL_WAIT_TIMEOUT;
    } else {
      const Interest interest = wants_read && wants_write ? Interest::read_or_write
                                : wants_read              ? Interest::read
                                                          : Interest::write;
      const WaitOutcome waited = co_await wait_socket(mysql_get_socket(mysql), interest, until);
      if (waited.status == WaitStatus::failed)
        co_return DriveResult{DriveEnd::failed, waited.error};
      if (waited.status == WaitStatus::timed_out) {
        if (!library_timeout) co_return DriveResult{DriveEnd::timed_out, {}};
        events = MYSQL_WAIT_TIMEOUT;
      } else {
        // EXCEPT is reported as READ: an error wakes a read wait too.
        if (waited.readable) events |= status & (MYSQL_WAIT_READ | MYSQL_WAIT_EXCEPT);
        if (waited.writable) events |= MYSQL_WAIT_WRITE;
      }
    }
    status = resume(events);
  }
  co_return DriveResult{};
}

}  // namespace dsb::drivers::mysql
