// Opening a Connector/C connection without blocking: mysql_real_connect_start
// and _cont driven by the socket, reporting tcp_connect, tls_handshake and
// authenticate.
#pragma once

#include "core/failure.hpp"
#include "drivers/connection_spec.hpp"
#include "drivers/mysql/mysql_handle.hpp"
#include "drivers/mysql/mysql_tls_relay.hpp"
#include "drivers/stage_reporter.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>
#include <vector>

namespace dsb::drivers::mysql {

struct OpenConnection {
  MysqlHandle handle;
  std::shared_ptr<TlsRelay> relay;  // set when TLS is on: the handle talks to it
};

// Connects to target.dial_address:dial_port before target.connect_deadline,
// with character set utf8mb4, LOAD DATA LOCAL and multi-statements off.
// Without TLS, Connector/C dials itself and the stages are inferred at each
// suspension (tcp_connect ends when the socket has a peer). With TLS, a
// TlsRelay dials and negotiates TLS (tcp_connect, tls_handshake) and
// Connector/C authenticates through it. On failure the current stage is
// reported failed.
boost::asio::awaitable<Result<OpenConnection>> mysql_connect(const ConnectTarget& target,
                                                             StageReporter& reporter);

}  // namespace dsb::drivers::mysql
