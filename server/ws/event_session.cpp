#include "server/ws/event_session.hpp"

#include "server/jobs/event_channel.hpp"
#include "server/ws/subscription_request.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace dsb::server::ws {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr std::size_t kMaxClientMessage = 4096;
// The kernel's send buffer of an event socket, fixed: left to autotuning it
// grows to megabytes (tcp_wmem), so a client that stops reading would hide
// thousands of events there before its bounded queue ever overflowed. Events
// are small; this still holds hundreds of them.
constexpr int kSendBuffer = 64 * 1024;

struct Credentials {
  std::string token;
  std::string protocol;  // the subprotocol to echo, when the token came that way
};

// The token from the header, a subprotocol entry, or the query string.
Credentials find_token(const Request& req) {
  if (auto it = req.find(http::field::authorization); it != req.end()) {
    std::string_view v = it->value();
    if (v.starts_with("Bearer ")) return {std::string(v.substr(7)), {}};
  }
  if (auto it = req.find(http::field::sec_websocket_protocol); it != req.end()) {
    std::string_view list = it->value();
    while (!list.empty()) {
      auto comma = list.find(',');
      std::string_view item = list.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (item.starts_with("bearer.")) return {std::string(item.substr(7)), std::string(item)};
      if (item.starts_with("dsb_")) return {std::string(item), std::string(item)};
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    }
  }
  if (auto url = boost::urls::parse_origin_form(req.target()); url) {
    for (auto p : url->params())
      if (p.key == "access_token") return {std::string(p.value), {}};
  }
  return {};
}

std::string query_param(const Request& req, std::string_view key) {
  if (auto url = boost::urls::parse_origin_form(req.target()); url)
    for (auto p : url->params())
      if (p.key == key) return std::string(p.value);
  return {};
}

template <class Stream>
asio::awaitable<void> refuse(Stream& stream, const Request& req, http::status status,
                             std::string_view message) {
  Response res{status, req.version()};
  res.set(http::field::content_type, "application/json");
  res.body() = json::serialize(json::object{
      {"code", status == http::status::unauthorized ? "AUTHENTICATION_ERROR" : "INVALID_REQUEST"},
      {"message", message},
      {"details", json::array{}}});
  res.keep_alive(false);
  res.prepare_payload();
  boost::system::error_code ec;
  co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
}

template <class Ws>
asio::awaitable<void> write_loop(Ws& ws, jobs::EventChannel& channel) {
  // While more messages wait, TCP_CORK lets the kernel send them as full
  // segments instead of one small segment per message; the cork comes off
  // as soon as the queue is empty, so nothing waits for more.
  auto& socket = beast::get_lowest_layer(ws).socket();
  bool corked = false;
  auto cork = [&](bool on) {
    if (corked == on) return;
    corked = on;
    const int flag = on ? 1 : 0;  // best effort: without it, only more segments
    (void)::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_CORK, &flag, sizeof flag);
  };
  for (;;) {
    auto message = co_await channel.pop();
    if (!message) co_return;
    cork(channel.pending() > 0);
    boost::system::error_code ec;
    ws.text(true);
    co_await ws.async_write(asio::buffer(**message), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    if (channel.pending() == 0) cork(false);
  }
}

template <class Ws>
asio::awaitable<void> read_loop(Ws& ws, SubscriptionBook& book) {
  beast::flat_buffer buffer;
  for (;;) {
    boost::system::error_code ec;
    co_await ws.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;  // closed, timed out (no pong), or too large
    const std::string text = beast::buffers_to_string(buffer.data());
    buffer.consume(buffer.size());
    co_await book.handle(text);
  }
}

template <class Stream>
asio::awaitable<void> run(App& app, Stream& stream, Request req) {
  const Credentials creds = find_token(req);
  auto who = app.orgs->authenticate(creds.token);
  if (!who || !*who || (*who)->kind != tenancy::Principal::Kind::org) {
    co_await refuse(stream, req, http::status::unauthorized,
                    "an organization's API token is required");
    co_return;
  }
  websocket::stream<Stream&> ws(stream);
  beast::get_lowest_layer(stream).expires_never();  // the websocket's own timeouts take over
  boost::system::error_code ignored;
  beast::get_lowest_layer(stream).socket().set_option(
      asio::socket_base::send_buffer_size(kSendBuffer), ignored);
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(kMaxClientMessage);
  ws.set_option(
      websocket::stream_base::decorator([proto = creds.protocol](websocket::response_type& res) {
        res.set(http::field::server, "dsbroker");
        if (!proto.empty()) res.set(http::field::sec_websocket_protocol, proto);
      }));
  boost::system::error_code ec;
  co_await ws.async_accept(req, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;

  const auto policy = app.config.events.overflow == "close"
                          ? jobs::EventChannel::OnOverflow::close
                          : jobs::EventChannel::OnOverflow::notify;
  auto channel = std::make_shared<jobs::EventChannel>(
      co_await asio::this_coro::executor, static_cast<std::size_t>(app.config.events.queue_limit),
      policy);
  // A client cut off for falling behind is gone at once: its writer may be
  // stuck on a full socket, so the socket is reset rather than closed politely.
  channel->on_cut_off([&stream] {
    auto& socket = beast::get_lowest_layer(stream).socket();
    boost::system::error_code ignored;
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
  });
  SubscriptionBook book(app, (*who)->org_id, channel);
  // Upgraded after the drain began (Server::stop closed the others already).
  if (app.draining) channel->close();
  if (const std::string job = query_param(req, "job"); !job.empty())
    co_await book.subscribe_job(job);
  co_await (read_loop(ws, book) || write_loop(ws, *channel));
  co_await book.close();
  const auto code =
      app.draining ? websocket::close_code::going_away : websocket::close_code::normal;
  if (ws.is_open()) co_await ws.async_close(code, asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace

bool is_event_upgrade(const Request& req) {
  if (!websocket::is_upgrade(req)) return false;
  auto url = boost::urls::parse_origin_form(req.target());
  return url && url->encoded_path() == "/v1/events";
}

asio::awaitable<void> serve_events(App& app, beast::tcp_stream& stream, Request req) {
  co_await run(app, stream, std::move(req));
}

asio::awaitable<void> serve_events(App& app, beast::ssl_stream<beast::tcp_stream>& stream,
                                   Request req) {
  co_await run(app, stream, std::move(req));
}

}  // namespace dsb::server::ws
