// Opening a libpq connection without blocking: PQconnectStartParams, then
// PQconnectPoll driven by the socket, reporting tcp_connect, tls_handshake
// and authenticate.
#pragma once

#include "core/failure.hpp"
#include "drivers/connection_spec.hpp"
#include "drivers/postgres/pg_handles.hpp"
#include "drivers/stage_reporter.hpp"

#include <boost/asio/awaitable.hpp>

#include <string>
#include <vector>

namespace dsb::drivers::postgres {

// Connects to target.dial_address:dial_port (TLS names checked against
// spec.host) before target.connect_deadline. On success the connection is
// in non-blocking mode. On failure the current stage is reported failed and
// the Failure says which stage and why.
boost::asio::awaitable<Result<PgConnPtr>> pg_connect(const ConnectTarget& target,
                                                     StageReporter& reporter);

}  // namespace dsb::drivers::postgres
