// One client connection: TLS or plain told apart by its first bytes, then
// HTTP/1.1 requests one at a time until the peer, a limit or shutdown ends it.
#pragma once

#include "server/app.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

namespace dsb::server {

class ConnectionRegistry;

// Runs on the accepting shard until the connection closes. `tls` is null when
// HTTPS is off.
boost::asio::awaitable<void> serve_connection(App& app, boost::asio::ip::tcp::socket socket,
                                              boost::asio::ssl::context* tls,
                                              ConnectionRegistry& registry);

}  // namespace dsb::server
