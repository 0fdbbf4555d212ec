#include "server/http_session.hpp"

#include "server/access_log.hpp"
#include "server/connection_registry.hpp"
#include "server/dispatcher.hpp"
#include "server/ws/event_session.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>

namespace dsb::server {
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

// A response for a request that could not be parsed; the connection closes after it.
Response protocol_error(http::status status, std::string_view code, std::string_view message) {
  Response res{status, 11};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::connection, "close");
  res.body() = boost::json::serialize(boost::json::object{
      {"code", code}, {"message", message}, {"details", boost::json::array{}}});
  res.keep_alive(false);
  res.prepare_payload();
  return res;
}

std::optional<Response> read_failure_response(const boost::system::error_code& ec) {
  if (ec == http::error::body_limit)
    return protocol_error(http::status::payload_too_large, "PAYLOAD_TOO_LARGE",
                          "the request body is larger than the server accepts");
  if (ec == http::error::header_limit)
    return protocol_error(http::status::request_header_fields_too_large, "HEADERS_TOO_LARGE",
                          "the request headers are larger than the server accepts");
  if (ec == beast::error::timeout || ec == asio::error::operation_aborted ||
      ec == asio::error::eof || ec == asio::error::connection_reset || ec == http::error::partial_message)
    return std::nullopt;  // the peer went away or stalled: nothing to answer
  return protocol_error(http::status::bad_request, "INVALID_REQUEST",
                        "the request is not valid HTTP/1.1: " + ec.message());
}

void record(App& app, const Request& req, const Outcome& out, double seconds) {
  const std::string method(req.method_string());
  const int status = static_cast<int>(out.response.result_int());
  app.metrics->local().record(out.route, method, status, seconds);
  if (app.config.log.requests)
    write_access_log({out.request_id, out.org_id, method, out.route, status, seconds * 1000.0});
}

// Bytes read at once while waiting for a request to begin.
constexpr std::size_t kFirstRead = 4096;

template <class Stream>
asio::awaitable<void> serve_requests(App& app, Stream& stream, beast::flat_buffer& buffer,
                                     ConnectionRegistry& registry, std::uint64_t id) {
  const auto read_timeout = std::chrono::milliseconds(app.config.server.read_timeout_ms);
  const auto idle_timeout = std::chrono::milliseconds(app.config.server.idle_timeout_ms);
  bool first = true;
  for (;;) {
    if (app.draining) co_return;
    http::request_parser<http::string_body> parser;
    parser.body_limit(static_cast<std::uint64_t>(app.config.server.body_limit));
    parser.header_limit(static_cast<std::uint32_t>(app.config.server.header_limit));
    // The first request must arrive within the read timeout; later ones may
    // wait out the keep-alive idle time.
    beast::get_lowest_layer(stream).expires_after(first ? read_timeout : idle_timeout);
    registry.set_busy(id, false);
    boost::system::error_code ec;
    // Idle until the next request's first bytes arrive; from then on it is in
    // flight, so shutdown lets it finish instead of cancelling its read.
    if (buffer.size() == 0) {
      const auto n = co_await stream.async_read_some(buffer.prepare(kFirstRead),
                                                     asio::redirect_error(asio::use_awaitable, ec));
      buffer.commit(n);
      if (ec) co_return;  // closed by the peer, idle too long, or shutdown
    }
    registry.set_busy(id, true);
    beast::get_lowest_layer(stream).expires_after(read_timeout);
    co_await http::async_read(stream, buffer, parser,
                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec == http::error::end_of_stream) co_return;
    if (ec) {
      if (auto res = read_failure_response(ec)) {
        beast::get_lowest_layer(stream).expires_after(read_timeout);
        co_await http::async_write(stream, *res, asio::redirect_error(asio::use_awaitable, ec));
      }
      co_return;
    }
    Request req = parser.release();
    if (ws::is_event_upgrade(req)) {
      // The connection becomes a WebSocket for good; nothing follows it.
      co_await ws::serve_events(app, stream, std::move(req));
      co_return;
    }
    const auto started = std::chrono::steady_clock::now();
    Outcome out = co_await dispatch(app, req);
    out.response.keep_alive(req.keep_alive() && !app.draining);
    out.response.prepare_payload();
    beast::get_lowest_layer(stream).expires_after(read_timeout);
    co_await http::async_write(stream, out.response, asio::redirect_error(asio::use_awaitable, ec));
    record(app, req, out,
           std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (ec || !out.response.keep_alive()) co_return;
    first = false;
  }
}

}  // namespace

asio::awaitable<void> serve_connection(App& app, tcp::socket socket, asio::ssl::context* tls,
                                       ConnectionRegistry& registry) {
  ++app.open_connections;
  beast::tcp_stream stream(std::move(socket));
  const std::uint64_t id = registry.add(&stream.socket());
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  const auto read_timeout = std::chrono::milliseconds(app.config.server.read_timeout_ms);

  bool is_tls = false;
  if (tls != nullptr) {
    stream.expires_after(read_timeout);
    is_tls = co_await beast::async_detect_ssl(stream, buffer, asio::redirect_error(asio::use_awaitable, ec));
    // Plain HTTP on a TLS-only port gets no answer: nothing readable to say.
    if (!ec && !is_tls && !app.config.server.tls_allow_plain) ec = asio::error::access_denied;
  }
  if (!ec && is_tls) {
    beast::ssl_stream<beast::tcp_stream> tls_stream(std::move(stream), *tls);
    registry.set_socket(id, &beast::get_lowest_layer(tls_stream).socket());
    beast::get_lowest_layer(tls_stream).expires_after(read_timeout);
    const auto used = co_await tls_stream.async_handshake(
        asio::ssl::stream_base::server, buffer.data(), asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) {
      buffer.consume(used);
      co_await serve_requests(app, tls_stream, buffer, registry, id);
      beast::get_lowest_layer(tls_stream).expires_after(std::chrono::seconds(2));
      co_await tls_stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
    }
  } else if (!ec) {
    co_await serve_requests(app, stream, buffer, registry, id);
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }
  registry.remove(id);
  --app.open_connections;
}

}  // namespace dsb::server
