// Waiting for a socket owned by a database client library (libpq, MariaDB
// Connector/C) to become readable or writable, without blocking the thread.
#pragma once

#include "drivers/connection_spec.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

namespace dsb::drivers {

enum class Interest { read, write, read_or_write };

enum class WaitStatus {
  ready,      // the socket is readable and/or writable (or in error: the
              // library's next call will find out)
  timed_out,  // the deadline passed first
  failed,     // the wait itself failed (bad descriptor, cancelled)
};

struct WaitOutcome {
  WaitStatus status = WaitStatus::failed;
  bool readable = false;
  bool writable = false;
  boost::system::error_code error;  // set when status == failed
};

// Suspends until `fd` is ready for `interest` or `deadline` passes,
// whichever comes first. `fd` stays owned by the caller: it is registered
// with the reactor for the wait only and released (never closed) before
// returning, so the library may close or replace it afterwards. Returns
// timed_out at once when the deadline has already passed.
boost::asio::awaitable<WaitOutcome> wait_socket(int fd, Interest interest, Deadline deadline);

// Suspends until `deadline` (a library asked to be called back later).
boost::asio::awaitable<void> wait_until(Deadline deadline);

}  // namespace dsb::drivers
