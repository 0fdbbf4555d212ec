// Readiness waits the SSH code races against each other with the awaitable
// `||` operator: whichever completes first cancels the rest.
#pragma once

#include "drivers/connection_spec.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace dsb::drivers::ssh {

// Completes when `socket` is readable (`read`) or writable (`write`); with
// neither it waits until cancelled. Errors count as ready: the next I/O call
// finds out what went wrong.
boost::asio::awaitable<void> socket_ready(boost::asio::ip::tcp::socket& socket, bool read,
                                          bool write);

// Completes when `timer` expires or is cancelled.
boost::asio::awaitable<void> timer_done(boost::asio::steady_timer& timer);

// True when `socket` became ready (as above) before `deadline`; false when
// the deadline came first.
boost::asio::awaitable<bool> socket_ready_by(boost::asio::ip::tcp::socket& socket, bool read,
                                             bool write, Deadline deadline);

}  // namespace dsb::drivers::ssh
