// Driving one non-blocking Connector/C call (*_start / *_cont) to its end by
// waiting on the connection's socket, bounded by a deadline.
#pragma once

#include "drivers/connection_spec.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <mysql.h>
#include <functional>

namespace dsb::drivers::mysql {

enum class DriveEnd { done, timed_out, failed };

struct DriveResult {
  DriveEnd end = DriveEnd::done;
  boost::system::error_code error;  // when failed
};

// `status` is what the *_start call returned (MYSQL_WAIT_* bits, 0 = done);
// `resume(events)` calls the matching *_cont with the events that happened
// and returns its status. Waits on mysql_get_socket for READ/WRITE/EXCEPT
// and honours MYSQL_WAIT_TIMEOUT (mysql_get_timeout_value_ms), never past
// `deadline`. `on_yield` runs each time the call is suspended (stage
// tracking). On timed_out/failed the call is left suspended: the caller must
// abandon the handle.
boost::asio::awaitable<DriveResult> drive(MYSQL* mysql, int status,
                                          const std::function<int(int)>& resume, Deadline deadline,
                                          const std::function<void()>& on_yield = {});

}  // namespace dsb::drivers::mysql
