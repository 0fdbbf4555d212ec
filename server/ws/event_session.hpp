// GET /v1/events upgraded to WebSocket: an org's client subscribes to jobs,
// datasources or the whole org and receives their events, replayed then live.
#pragma once

#include "server/app.hpp"
#include "server/http.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace dsb::server::ws {

// True when `req` asks to upgrade /v1/events.
bool is_event_upgrade(const Request& req);

// Authenticates (Authorization: Bearer, a Sec-WebSocket-Protocol "bearer.<token>"
// or "dsb_..." entry, or ?access_token=), answers 401 without upgrading on a bad
// token, else runs the session until either side closes.
boost::asio::awaitable<void> serve_events(App& app, boost::beast::tcp_stream& stream, Request req);
boost::asio::awaitable<void> serve_events(App& app,
                                          boost::beast::ssl_stream<boost::beast::tcp_stream>& stream,
                                          Request req);

}  // namespace dsb::server::ws
