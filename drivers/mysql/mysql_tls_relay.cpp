#include "drivers/mysql/mysql_tls_relay.hpp"

#include "drivers/driver.hpp"
#include "drivers/mysql/mysql_errors.hpp"
#include "drivers/mysql/mysql_wire.hpp"
#include "drivers/tls_context.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <unistd.h>

#include <optional>
#include <vector>

namespace dsb::drivers::mysql {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
using Local = asio::local::stream_protocol;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

constexpr std::uint32_t kMaxAuthPacket = 16 * 1024 * 1024;
constexpr std::size_t kChunk = 64 * 1024;

}  // namespace

struct TlsRelay::State {
  explicit State(const asio::any_io_executor& ex)
      : plain(ex), acceptor(ex), client(ex), watchdog(ex) {}
  ~State() {
    if (!path.empty()) ::unlink(path.c_str());
  }

  void close() {
    if (closed) return;
    closed = true;
    boost::system::error_code ignored;
    acceptor.close(ignored);
    client.close(ignored);
    plain.close(ignored);
    if (server) server->lowest_layer().close(ignored);
    watchdog.cancel();
    if (!path.empty()) ::unlink(path.c_str());
  }

  // The plain socket until TLS starts, then moved into `server`. The TLS
  // context is only built then too: SSL_CTX_new costs a millisecond or two
  // of the shard's time, not worth spending on servers that never answer.
  tcp::socket plain;
  std::optional<ssl::context> ctx;
  std::optional<ssl::stream<tcp::socket>> server;
  TlsSettings tls;
  std::string host;  // the name the certificate must carry
  Local::acceptor acceptor;
  Local::socket client;
  asio::steady_timer watchdog;
  std::vector<unsigned char> greeting;  // header + payload, TLS flag cleared
  std::uint8_t greeting_seq = 0;
  std::string path;
  TlsRelay::TlsOutcome outcome;
  bool auth_done = false;  // the server has sent its final OK/ERR
  bool timed_out = false;
  bool closed = false;

  void tell(const char* why, const std::string& message) {
    if (auto f = std::exchange(outcome, nullptr)) f(why, message);
  }
};

namespace {

using State = TlsRelay::State;

Failure report(StageReporter& reporter, State& state, const char* why, std::string message) {
  state.close();
  std::string stage = reporter.current_stage();
  reporter.failed(why, message);
  return test_failure(std::move(stage), why, std::move(message));
}

template <class Stream>
asio::awaitable<bool> read_packet(Stream& stream, unsigned char (&header)[wire::kHeaderSize],
                                  std::vector<unsigned char>& payload, std::uint32_t limit) {
  auto [ec, n] = co_await asio::async_read(stream, asio::buffer(header), use_tuple);
  if (ec) co_return false;
  const wire::Header h = wire::parse_header(header);
  if (h.length > limit) co_return false;
  payload.resize(h.length);
  auto [pec, pn] = co_await asio::async_read(stream, asio::buffer(payload), use_tuple);
  co_return !pec;
}

template <class Stream>
asio::awaitable<bool> write_packet(Stream& stream, const unsigned char (&header)[wire::kHeaderSize],
                                   const std::vector<unsigned char>& payload) {
  const std::array<asio::const_buffer, 2> parts = {asio::buffer(header), asio::buffer(payload)};
  auto [ec, n] = co_await asio::async_write(stream, parts, use_tuple);
  co_return !ec;
}

// Copies bytes from `from` to `to` until either fails.
template <class From, class To>
asio::awaitable<void> copy_bytes(From& from, To& to) {
  std::vector<unsigned char> chunk(kChunk);
  for (;;) {
    auto [ec, n] = co_await from.async_read_some(asio::buffer(chunk), use_tuple);
    if (ec) co_return;
    auto [wec, wn] = co_await asio::async_write(to, asio::buffer(chunk.data(), n), use_tuple);
    if (wec) co_return;
  }
}

// Server to client: ids shifted down by one until the final OK/ERR of the
// authentication, then bytes as they come.
asio::awaitable<void> server_to_client(std::shared_ptr<State> s) {
  unsigned char header[wire::kHeaderSize];
  std::vector<unsigned char> payload;
  while (!s->auth_done) {
    if (!co_await read_packet(*s->server, header, payload, kMaxAuthPacket)) break;
    wire::Header h = wire::parse_header(header);
    h.seq = static_cast<std::uint8_t>(h.seq - 1);
    wire::write_header(header, h);
    if (!payload.empty() && (payload[0] == 0x00 || payload[0] == 0xff)) s->auth_done = true;
    if (!co_await write_packet(s->client, header, payload)) break;
  }
  if (s->auth_done && !s->closed) co_await copy_bytes(*s->server, s->client);
  s->close();
}

// Client to server (after the handshake response): every packet of the
// authentication gets an id one higher; afterwards bytes as they come.
asio::awaitable<void> client_to_server(std::shared_ptr<State> s) {
  unsigned char header[wire::kHeaderSize];
  std::vector<unsigned char> payload;
  while (!s->closed) {
    if (!co_await read_packet(s->client, header, payload, kMaxAuthPacket)) break;
    if (!s->auth_done) {  // commands (after the final OK) pass unchanged
      wire::Header h = wire::parse_header(header);
      h.seq = static_cast<std::uint8_t>(h.seq + 1);
      wire::write_header(header, h);
    }
    if (!co_await write_packet(*s->server, header, payload)) break;
    if (s->auth_done) {
      co_await copy_bytes(s->client, *s->server);
      break;
    }
  }
  s->close();
}

// SSLRequest from the client's handshake response, the TLS handshake, then
// the response itself inside TLS. False (outcome told) on failure.
asio::awaitable<bool> start_tls(State& s, unsigned char (&header)[wire::kHeaderSize],
                                std::vector<unsigned char>& response) {
  if (!wire::set_ssl_capability(response)) {
    s.tell(reason::protocol_error, "the client did not send a protocol 4.1 handshake");
    co_return false;
  }
  s.ctx.emplace(ssl::context::tls_client);
  if (auto configured = configure_tls(*s.ctx, s.tls); !configured) {
    s.tell(reason::tls_failed, configured.error().message);
    co_return false;
  }
  s.server.emplace(std::move(s.plain), *s.ctx);
  expect_server_name(s.server->native_handle(), s.tls, s.host);

  unsigned char request_header[wire::kHeaderSize];
  wire::write_header(request_header, {32, static_cast<std::uint8_t>(s.greeting_seq + 1)});
  const std::array<asio::const_buffer, 2> request = {asio::buffer(request_header),
                                                     asio::buffer(response.data(), 32)};
  auto [wec, wn] = co_await asio::async_write(s.server->next_layer(), request, use_tuple);
  if (wec) {
    s.tell(reason::protocol_error, "cannot ask the server for TLS: " + wec.message());
    co_return false;
  }
  auto [hec] = co_await s.server->async_handshake(ssl::stream_base::client, use_tuple);
  if (hec) {
    s.tell(reason::tls_failed, handshake_error(s.server->native_handle(), hec));
    co_return false;
  }
  s.tell(nullptr, {});
  wire::Header h = wire::parse_header(header);
  h.seq = static_cast<std::uint8_t>(h.seq + 1);
  wire::write_header(header, h);
  co_return co_await write_packet(*s.server, header, response);
}

asio::awaitable<void> accept_and_relay(std::shared_ptr<State> s) {
  auto [ec, socket] = co_await s->acceptor.async_accept(use_tuple);
  boost::system::error_code ignored;
  s->acceptor.close(ignored);
  ::unlink(s->path.c_str());
  if (ec) {
    s->tell(reason::protocol_error, "the client did not come: " + ec.message());
    s->close();
    co_return;
  }
  s->client = std::move(socket);
  auto [wec, n] = co_await asio::async_write(s->client, asio::buffer(s->greeting), use_tuple);
  unsigned char header[wire::kHeaderSize];
  std::vector<unsigned char> response;
  if (wec || !co_await read_packet(s->client, header, response, kMaxAuthPacket)) {
    s->tell(reason::protocol_error, "the client left before its handshake");
    s->close();
    co_return;
  }
  if (!co_await start_tls(*s, header, response)) {
    s->close();
    co_return;
  }
  asio::co_spawn(s->client.get_executor(), server_to_client(s), asio::detached);
  co_await client_to_server(s);
}

}  // namespace

TlsRelay::TlsRelay(std::shared_ptr<State> state) : state_(std::move(state)) {}

const std::string& TlsRelay::socket_path() const {
  return state_->path;
}

void TlsRelay::serve(TlsOutcome outcome) {
  state_->outcome = std::move(outcome);
  asio::co_spawn(state_->client.get_executor(), accept_and_relay(state_), asio::detached);
}

void TlsRelay::forget_outcome() {
  state_->outcome = nullptr;
}

void TlsRelay::close() {
  state_->close();
}

asio::awaitable<Result<std::shared_ptr<TlsRelay>>> TlsRelay::open(const ConnectTarget& target,
                                                                  const std::string& dir,
                                                                  StageReporter& reporter) {
  const TlsSettings& tls = target.spec.tls;
  const std::string& host = target.spec.host.empty() ? target.dial_address : target.spec.host;
  auto s = std::make_shared<State>(co_await asio::this_coro::executor);
  s->tls = tls;
  s->host = host;

  // Closing the socket at the deadline ends whichever step is waiting.
  s->watchdog.expires_at(target.connect_deadline);
  s->watchdog.async_wait([weak = std::weak_ptr<State>(s)](boost::system::error_code ec) {
    if (auto state = weak.lock(); state && !ec) {
      state->timed_out = true;
      state->close();
    }
  });
  const auto deadline_passed = [&] {
    return report(reporter, *s, reason::timeout,
                  "no answer from the server before the connect deadline (during " +
                      reporter.current_stage() + ")");
  };

  boost::system::error_code ec;
  const auto address = asio::ip::make_address(target.dial_address, ec);
  if (ec) co_return report(reporter, *s, reason::protocol_error, "invalid dial address");
  auto [cec] = co_await s->plain.async_connect({address, target.dial_port}, use_tuple);
  if (s->timed_out) co_return deadline_passed();
  if (cec) {
    co_return report(reporter, *s,
                     cec == asio::error::connection_refused ? reason::connection_refused
                                                            : reason::protocol_error,
                     "cannot connect to " + target.dial_address + ":" +
                         std::to_string(target.dial_port) + ": " + cec.message());
  }
  reporter.ok();
  reporter.begin("tls_handshake");

  unsigned char header[wire::kHeaderSize];
  std::vector<unsigned char> payload;
  const bool got = co_await read_packet(s->plain, header, payload, wire::kMaxGreeting);
  if (s->timed_out) co_return deadline_passed();
  if (!got) {
    co_return report(reporter, *s, reason::protocol_error,
                     "the server closed the connection before greeting");
  }
  const auto greeting = wire::parse_greeting(payload);
  if (!greeting) {
    co_return report(reporter, *s, reason::protocol_error,
                     "the server did not greet like a MySQL server");
  }
  if (greeting->is_error) {
    co_return report(reporter, *s,
                     failure_reason(greeting->error_code, "tls_handshake", greeting->error_message),
                     greeting->error_message);
  }
  if ((greeting->capabilities & wire::kClientSsl) == 0) {
    co_return report(reporter, *s, reason::tls_failed,
                     "the server does not support TLS, but TLS is required");
  }

  wire::clear_ssl_capability(payload, *greeting);
  s->greeting_seq = header[3];
  s->greeting.assign(header, header + wire::kHeaderSize);
  s->greeting.insert(s->greeting.end(), payload.begin(), payload.end());

  s->path = dir + "/mysql.sock";
  s->acceptor.open(Local(), ec);
  if (!ec) s->acceptor.bind(Local::endpoint(s->path), ec);
  if (!ec) s->acceptor.listen(1, ec);
  if (ec) {
    co_return report(reporter, *s, reason::protocol_error,
                     "cannot listen on the relay socket: " + ec.message());
  }
  s->watchdog.cancel();
  co_return std::make_shared<TlsRelay>(std::move(s));
}

}  // namespace dsb::drivers::mysql
