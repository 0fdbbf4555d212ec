#include "drivers/clickhouse/ch_http.hpp"

#include "drivers/driver.hpp"
#include "drivers/tls_context.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <optional>

namespace dsb::drivers::clickhouse {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = boost::asio::ssl;
using error_code = boost::system::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

// Largest answer read (a catalog of a few hundred thousand columns).
constexpr std::uint64_t kMaxBody = 256ull * 1024 * 1024;
constexpr std::uint32_t kMaxHeader = 64 * 1024;

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

// default_format applies unless the SQL has its own FORMAT clause;
// wait_end_of_query makes the server buffer the result, so a failure late in
// a query still gets an error status. Both are HTTP handler parameters, not
// settings, so readonly users may pass them too.
std::string request_target(const ConnectionSpec& spec) {
  std::string target = "/?default_format=JSONCompact&wait_end_of_query=1";
  if (!spec.database.empty()) target += "&database=" + percent_encode(spec.database);
  return target;
}

std::string host_header(const ConnectionSpec& spec, std::uint16_t port) {
  const bool v6 = spec.host.find(':') != std::string::npos;
  return (v6 ? "[" + spec.host + "]" : spec.host) + ":" + std::to_string(port);
}

bool header_safe(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

}  // namespace

struct ChHttp::State {
  State(asio::any_io_executor executor, ConnectTarget t)
      : ex(std::move(executor)), target(std::move(t)), ctx(ssl::context::tls_client) {}

  bool tls() const { return target.spec.tls.enabled(); }
  beast::tcp_stream& lowest() { return tls() ? beast::get_lowest_layer(*secure) : *plain; }

  void close() {
    error_code ignored;
    if (plain) plain->socket().close(ignored);
    if (secure) beast::get_lowest_layer(*secure).socket().close(ignored);
    plain.reset();
    secure.reset();
    buffer.clear();
    open = false;
    used = false;
  }

  asio::any_io_executor ex;
  ConnectTarget target;
  std::vector<std::string> secrets;
  ssl::context ctx;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  std::string target_path;
  std::string host;
  bool open = false;
  bool used = false;  // an exchange has completed on this connection
};

namespace {

using State = ChHttp::State;

// Reports a failure: through `reporter` (its current stage) when dialling as
// part of connect, else under `stage`.
Failure failed(StageReporter* reporter, std::string_view stage, const char* why,
               std::string message) {
  if (reporter == nullptr) return test_failure(std::string(stage), why, std::move(message));
  std::string current = reporter->current_stage();
  reporter->failed(why, message);
  return test_failure(std::move(current), why, std::move(message));
}

std::string deadline_message(std::string_view during) {
  return "no answer from the server before the deadline (during " + std::string(during) + ")";
}

// TCP, then TLS when enabled. Stages go to `reporter` when given.
asio::awaitable<std::optional<Failure>> dial(State& s, Deadline deadline, StageReporter* reporter,
                                             std::string_view stage) {
  s.close();
  if (reporter != nullptr) reporter->begin("tcp_connect");
  error_code ec;
  const auto address = asio::ip::make_address(s.target.dial_address, ec);
  if (ec) co_return failed(reporter, stage, reason::protocol_error, "invalid dial address");
  if (s.tls()) {
    s.secure.emplace(s.ex, s.ctx);
    expect_server_name(s.secure->native_handle(), s.target.spec.tls, s.target.spec.host);
  } else {
    s.plain.emplace(s.ex);
  }
  s.lowest().expires_at(deadline);
  auto [cec] = co_await s.lowest().async_connect(
      asio::ip::tcp::endpoint(address, s.target.dial_port), use_tuple);
  if (cec == beast::error::timeout) {
    co_return failed(reporter, stage, reason::timeout, deadline_message("tcp_connect"));
  }
  if (cec) {
    co_return failed(reporter, stage,
                     cec == asio::error::connection_refused ? reason::connection_refused
                                                            : reason::protocol_error,
                     "cannot connect to " + s.target.dial_address + ":" +
                         std::to_string(s.target.dial_port) + ": " + cec.message());
  }
  if (reporter != nullptr) reporter->ok();
  if (!s.tls()) {
    if (reporter != nullptr) reporter->skipped("tls_handshake");
    s.open = true;
    co_return std::nullopt;
  }
  if (reporter != nullptr) reporter->begin("tls_handshake");
  s.lowest().expires_at(deadline);
  auto [hec] = co_await s.secure->async_handshake(ssl::stream_base::client, use_tuple);
  if (hec == beast::error::timeout) {
    co_return failed(reporter, stage, reason::timeout, deadline_message("tls_handshake"));
  }
  if (hec) {
    co_return failed(reporter, stage, reason::tls_failed,
                     handshake_error(s.secure->native_handle(), hec));
  }
  if (reporter != nullptr) reporter->ok();
  s.open = true;
  co_return std::nullopt;
}

struct Exchange {
  error_code ec;
  bool got_bytes = false;  // some of the answer arrived
};

template <class Stream>
asio::awaitable<Exchange> exchange(Stream& stream, beast::tcp_stream& lowest,
                                   beast::flat_buffer& buffer,
                                   http::request<http::string_body>& request,
                                   http::response_parser<http::string_body>& parser,
                                   Deadline deadline) {
  lowest.expires_at(deadline);
  auto [wec, written] = co_await http::async_write(stream, request, use_tuple);
  if (wec) co_return Exchange{wec, false};
  lowest.expires_at(deadline);
  auto [rec, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
  co_return Exchange{rec, parser.got_some()};
}

// The server closed an idle keep-alive connection before our request.
bool closed_while_idle(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == ssl::error::stream_truncated;
}

}  // namespace

ChHttp::ChHttp(std::unique_ptr<State> state) : state_(std::move(state)) {}

ChHttp::~ChHttp() = default;

const std::vector<std::string>& ChHttp::secrets() const {
  return state_->secrets;
}

asio::awaitable<Result<std::unique_ptr<ChHttp>>> ChHttp::open(const ConnectTarget& target,
                                                              StageReporter& reporter) {
  auto state = std::make_unique<State>(co_await asio::this_coro::executor, target);
  state->secrets = {target.spec.password, target.spec.tls.key_pem};
  state->target_path = request_target(target.spec);
  state->host =
      host_header(target.spec, target.spec.port != 0 ? target.spec.port : target.dial_port);
  const TlsSettings& tls = target.spec.tls;
  const auto tls_problem = [&](std::string message) {
    reporter.begin("tcp_connect");
    return failed(&reporter, "tcp_connect", reason::tls_failed, std::move(message));
  };
  if (!tls.known_mode()) co_return tls_problem("unknown TLS mode '" + tls.mode + "'");
  if (tls.mode == "verify-full" && target.spec.host.empty()) {
    co_return tls_problem("verify-full needs the server's host name");
  }
  if (tls.enabled()) {
    if (auto configured = configure_tls(state->ctx, tls); !configured) {
      co_return tls_problem(configured.error().message);
    }
  }
  if (auto f = co_await dial(*state, target.connect_deadline, &reporter, "tcp_connect")) {
    co_return std::move(*f);
  }
  co_return std::make_unique<ChHttp>(std::move(state));
}

asio::awaitable<Result<ChResponse>> ChHttp::post(std::string_view sql, Deadline deadline,
                                                 std::string_view stage) {
  State& s = *state_;
  const ConnectionSpec& spec = s.target.spec;
  if (!header_safe(spec.username) || !header_safe(spec.password)) {
    co_return test_failure(std::string(stage), reason::auth_failed,
                           "the user name or password contains a line break or NUL byte, "
                           "which an HTTP header cannot carry");
  }
  http::request<http::string_body> request{http::verb::post, s.target_path, 11};
  request.set(http::field::host, s.host);
  request.set(http::field::user_agent, "dsbroker");
  request.set(http::field::content_type, "text/plain; charset=UTF-8");
  if (!spec.username.empty()) request.set("X-ClickHouse-User", spec.username);
  if (!spec.password.empty()) request.set("X-ClickHouse-Key", spec.password);
  request.keep_alive(true);
  request.body() = std::string(sql);
  request.prepare_payload();

  for (int attempt = 0;; ++attempt) {
    if (!s.open) {
      if (auto f = co_await dial(s, deadline, nullptr, stage)) co_return std::move(*f);
    }
    const bool reused = s.used;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxBody);
    parser.header_limit(kMaxHeader);
    const Exchange done =
        s.tls() ? co_await exchange(*s.secure, s.lowest(), s.buffer, request, parser, deadline)
                : co_await exchange(*s.plain, s.lowest(), s.buffer, request, parser, deadline);
    if (!done.ec) {
      s.used = true;
      const bool keep = parser.get().keep_alive();
      ChResponse response{parser.get().result_int(), std::move(parser.release().body())};
      if (!keep) s.close();
      co_return response;
    }
    s.close();
    if (attempt == 0 && reused && !done.got_bytes && closed_while_idle(done.ec) &&
        Clock::now() < deadline) {
      continue;  // dial again and resend
    }
    if (done.ec == beast::error::timeout) {
      co_return test_failure(std::string(stage), reason::timeout, deadline_message(stage));
    }
    if (done.ec == http::error::body_limit) {
      co_return test_failure(
          std::string(stage), reason::protocol_error,
          "the answer is larger than " + std::to_string(kMaxBody >> 20) + " MiB");
    }
    co_return test_failure(std::string(stage), reason::protocol_error,
                           "the HTTP exchange failed: " + done.ec.message());
  }
}

}  // namespace dsb::drivers::clickhouse
