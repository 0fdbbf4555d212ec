#include "tests/support/ws_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <ctime>
#include <deque>
#include <mutex>
#include <thread>

namespace dsb::test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Ws = websocket::stream<beast::tcp_stream>;

namespace {

tcp::endpoint loopback(std::uint16_t port) {
  return {asio::ip::make_address_v4("127.0.0.1"), port};
}

std::string host_header(std::uint16_t port) {
  return "127.0.0.1:" + std::to_string(port);
}

json::value parse_or_string(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  return ec ? json::value(json::string(text)) : v;
}

}  // namespace

// ---- WsClient ----------------------------------------------------------------

struct WsClient::Impl {
  asio::io_context io;
  Ws ws{io};
  beast::flat_buffer buffer;
  std::deque<json::value> inbox;
  bool upgraded = false;
  bool reading = false;
  bool ended = false;
  int refused_status = 0;
  std::string refused_body;
  std::string protocol;
  std::string error;

  // Runs handlers until `done()` or the deadline; true when done.
  bool run_until(const std::function<bool()>& done, Clock::time_point deadline) {
    while (!done()) {
      const auto now = Clock::now();
      if (now >= deadline) return false;
      io.restart();
      if (io.run_one_for(deadline - now) == 0 && io.stopped() && !done())
        return false;  // nothing left to run
    }
    return true;
  }

  // Runs until the operation whose handler sets `done` completes; at the
  // deadline closes the socket and still waits for that handler (it refers
  // to the caller's locals), so nothing completes after the caller returned.
  bool finish_or_abort(const bool& done, Clock::time_point deadline) {
    if (run_until([&] { return done; }, deadline)) return true;
    boost::system::error_code ignored;
    beast::get_lowest_layer(ws).socket().close(ignored);
    io.restart();
    while (!done && io.run_one() > 0) {
    }
    return false;
  }

  // Keeps one read in flight; it only progresses while a call runs the io_context.
  void read_more() {
    reading = true;
    ws.async_read(buffer, [this](boost::system::error_code ec, std::size_t) {
      reading = false;
      if (ec) {
        ended = true;
        error = ec.message();
        return;
      }
      inbox.push_back(parse_or_string(beast::buffers_to_string(buffer.data())));
      buffer.consume(buffer.size());
      read_more();
    });
  }
};

WsClient::WsClient(std::uint16_t port, WsOptions opts) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  const auto deadline = Clock::now() + std::chrono::milliseconds(opts.timeout_ms);
  auto& socket = beast::get_lowest_layer(m.ws).socket();
  boost::system::error_code ec;
  socket.open(tcp::v4(), ec);
  if (!ec && opts.receive_buffer > 0)
    socket.set_option(asio::socket_base::receive_buffer_size(opts.receive_buffer), ec);
  if (ec) {
    m.error = "socket: " + ec.message();
    return;
  }
  bool done = false;
  beast::get_lowest_layer(m.ws).async_connect(loopback(port), [&](boost::system::error_code e) {
    ec = e;
    done = true;
  });
  if (!m.finish_or_abort(done, deadline) || ec) {
    m.error = "connect: " + (ec ? ec.message() : std::string("timed out"));
    return;
  }
  m.ws.set_option(websocket::stream_base::decorator([opts](websocket::request_type& req) {
    if (!opts.bearer.empty()) req.set(http::field::authorization, "Bearer " + opts.bearer);
    if (!opts.subprotocol.empty()) req.set(http::field::sec_websocket_protocol, opts.subprotocol);
  }));
  websocket::response_type res;
  done = false;
  m.ws.async_handshake(res, host_header(port), opts.target, [&](boost::system::error_code e) {
    ec = e;
    done = true;
  });
  if (!m.finish_or_abort(done, deadline) || ec) {
    m.error = "upgrade: " + (ec ? ec.message() : std::string("timed out"));
    m.refused_status = static_cast<int>(res.result_int());
    m.refused_body = res.body();
    return;
  }
  if (auto it = res.find(http::field::sec_websocket_protocol); it != res.end())
    m.protocol = it->value();
  m.upgraded = true;
  m.read_more();
}

WsClient::~WsClient() {
  // Abortive: tests that want a clean close call close() first.
  boost::system::error_code ec;
  beast::get_lowest_layer(impl_->ws).socket().close(ec);
  impl_->io.restart();
  impl_->io.poll();
}

bool WsClient::upgraded() const {
  return impl_->upgraded;
}
int WsClient::refused_status() const {
  return impl_->refused_status;
}
const std::string& WsClient::refused_body() const {
  return impl_->refused_body;
}
const std::string& WsClient::protocol() const {
  return impl_->protocol;
}
const std::string& WsClient::error() const {
  return impl_->error;
}

bool WsClient::send(const json::value& message, int timeout_ms) {
  Impl& m = *impl_;
  if (!m.upgraded || m.ended) return false;
  auto text = std::make_shared<std::string>(json::serialize(message));
  bool done = false;
  boost::system::error_code ec;
  m.ws.text(true);
  m.ws.async_write(asio::buffer(*text),
                   [&done, &ec, text](boost::system::error_code e, std::size_t) {
                     ec = e;
                     done = true;
                   });
  return m.finish_or_abort(done, Clock::now() + std::chrono::milliseconds(timeout_ms)) && !ec;
}

std::optional<json::value> WsClient::next(int timeout_ms) {
  Impl& m = *impl_;
  if (!m.upgraded) return std::nullopt;
  m.run_until([&] { return !m.inbox.empty() || m.ended; },
              Clock::now() + std::chrono::milliseconds(timeout_ms));
  if (m.inbox.empty()) return std::nullopt;
  json::value v = std::move(m.inbox.front());
  m.inbox.pop_front();
  return v;
}

std::vector<json::value> WsClient::read_until(const std::function<bool(const json::value&)>& last,
                                              int timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  std::vector<json::value> out;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return out;
    auto v = next(static_cast<int>(left));
    if (!v) return out;
    out.push_back(std::move(*v));
    if (last(out.back())) return out;
  }
}

json::value WsClient::exchange(const char* verb, const json::object& topic, int timeout_ms) {
  Impl& m = *impl_;
  if (!send(json::object{{verb, topic}}, timeout_ms)) return nullptr;
  const std::string reply_key = std::string(verb) + "d";  // subscribed | unsubscribed
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  // Messages before the reply are kept, in order, for next().
  std::size_t seen = m.inbox.size();
  for (;;) {
    for (std::size_t i = seen; i < m.inbox.size(); ++i) {
      const auto& v = m.inbox[i];
      if (v.is_object() && (v.as_object().contains(reply_key) || v.as_object().contains("error"))) {
        json::value reply = v;
        m.inbox.erase(m.inbox.begin() + static_cast<std::ptrdiff_t>(i));
        return reply;
      }
    }
    seen = m.inbox.size();
    if (m.ended) return nullptr;
    if (!m.run_until([&] { return m.inbox.size() > seen || m.ended; }, deadline)) return nullptr;
  }
}

json::value WsClient::subscribe(const json::object& topic, int timeout_ms) {
  return exchange("subscribe", topic, timeout_ms);
}

json::value WsClient::unsubscribe(const json::object& topic, int timeout_ms) {
  return exchange("unsubscribe", topic, timeout_ms);
}

bool WsClient::ended() const {
  return impl_->ended && impl_->inbox.empty();
}

bool WsClient::wait_end(int timeout_ms) {
  Impl& m = *impl_;
  if (!m.upgraded) return true;
  m.run_until([&] { return m.ended; }, Clock::now() + std::chrono::milliseconds(timeout_ms));
  m.inbox.clear();
  return m.ended;
}

void WsClient::close() {
  Impl& m = *impl_;
  if (!m.upgraded || m.ended) return;
  bool done = false;
  m.ws.async_close(websocket::close_code::normal,
                   [&done](boost::system::error_code) { done = true; });
  // The pending read completes with `closed` once the server answers.
  if (!m.run_until([&] { return done && !m.reading; }, Clock::now() + std::chrono::seconds(5))) {
    boost::system::error_code ignored;
    beast::get_lowest_layer(m.ws).socket().close(ignored);
    m.io.restart();
    while ((!done || m.reading) && m.io.run_one() > 0) {
    }
  }
  m.ended = true;
}

// ---- WsCrowd -----------------------------------------------------------------

namespace {

// Connections being set up at once per client thread.
constexpr std::size_t kLaunchersPerThread = 8;

}  // namespace

struct WsCrowd::Impl {
  CrowdOptions opts;
  CrowdHandler handler;
  std::vector<std::unique_ptr<asio::io_context>> ios;
  std::vector<std::thread> threads;
  std::atomic<std::size_t> subscribed{0};
  std::atomic<std::size_t> failed{0};
  std::atomic<std::size_t> ended{0};
  mutable std::mutex mu;
  std::string error;

  void fail(const std::string& what) {
    ++failed;
    std::lock_guard lock(mu);
    if (error.empty()) error = what;
  }

  asio::awaitable<void> read_loop(std::size_t index, std::unique_ptr<Ws> ws) {
    beast::flat_buffer buffer;
    bool confirmed = false;
    for (;;) {
      boost::system::error_code ec;
      co_await ws->async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (confirmed)
          ++ended;
        else
          fail("subscriber " + std::to_string(index) + ": " + ec.message());
        co_return;
      }
      const auto received = Clock::now();
      const std::string_view text(static_cast<const char*>(buffer.data().data()), buffer.size());
      if (confirmed) {
        handler(index, text, received);
      } else if (text.starts_with("{\"subscribed\"")) {
        confirmed = true;
        ++subscribed;
      } else {
        fail("subscriber " + std::to_string(index) + ": " + std::string(text));
        co_return;
      }
      buffer.consume(buffer.size());
    }
  }

  // Sets up subscribers first, first + step, ... one after another.
  asio::awaitable<void> launch(std::size_t first, std::size_t step) {
    auto ex = co_await asio::this_coro::executor;
    for (std::size_t i = first; i < opts.connections; i += step) {
      auto ws = std::make_unique<Ws>(ex);
      boost::system::error_code ec;
      beast::get_lowest_layer(*ws).expires_after(std::chrono::seconds(30));
      co_await beast::get_lowest_layer(*ws).async_connect(
          loopback(opts.port), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        fail("connect: " + ec.message());
        continue;
      }
      beast::get_lowest_layer(*ws).expires_never();
      ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
      ws->set_option(
          websocket::stream_base::decorator([token = opts.token](websocket::request_type& req) {
            req.set(http::field::authorization, "Bearer " + token);
          }));
      co_await ws->async_handshake(host_header(opts.port), "/v1/events",
                                   asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        fail("upgrade: " + ec.message());
        continue;
      }
      ws->text(true);
      co_await ws->async_write(asio::buffer(opts.subscribe),
                               asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        fail("subscribe: " + ec.message());
        continue;
      }
      asio::co_spawn(ex, read_loop(i, std::move(ws)), asio::detached);
    }
  }
};

WsCrowd::WsCrowd(CrowdOptions opts, CrowdHandler handler) : impl_(std::make_unique<Impl>()) {
  impl_->opts = std::move(opts);
  impl_->handler = std::move(handler);
  if (impl_->opts.threads == 0) impl_->opts.threads = 1;
}

WsCrowd::~WsCrowd() {
  stop();
}

bool WsCrowd::start(std::chrono::milliseconds deadline) {
  Impl& m = *impl_;
  const std::size_t threads = m.opts.threads;
  const std::size_t launchers = threads * kLaunchersPerThread;
  for (std::size_t t = 0; t < threads; ++t) m.ios.push_back(std::make_unique<asio::io_context>(1));
  for (std::size_t l = 0; l < launchers; ++l)
    asio::co_spawn(*m.ios[l % threads], m.launch(l, launchers), asio::detached);
  for (std::size_t t = 0; t < threads; ++t)
    m.threads.emplace_back([io = m.ios[t].get()] {
      auto guard = asio::make_work_guard(*io);
      io->run();
    });
  const auto until = Clock::now() + deadline;
  while (Clock::now() < until) {
    if (m.failed > 0) return false;
    if (m.subscribed == m.opts.connections) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::lock_guard lock(m.mu);
  if (m.error.empty())
    m.error = "only " + std::to_string(m.subscribed.load()) + " of " +
              std::to_string(m.opts.connections) + " subscribed in time";
  return false;
}

std::size_t WsCrowd::subscribed() const {
  return impl_->subscribed;
}
std::size_t WsCrowd::failed() const {
  return impl_->failed;
}
std::size_t WsCrowd::ended() const {
  return impl_->ended;
}

std::string WsCrowd::error() const {
  std::lock_guard lock(impl_->mu);
  return impl_->error;
}

void WsCrowd::stop() {
  Impl& m = *impl_;
  for (auto& io : m.ios) io->stop();
  for (auto& t : m.threads) t.join();
  m.threads.clear();
  // Destroying each io_context destroys its coroutines and the streams they own.
  m.ios.clear();
}

std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
  char z = 0;
  const std::string s(text);
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &year, &month, &day, &hour, &minute,
                  &second, &millis, &z) != 8 ||
      z != 'Z')
    return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<std::int64_t>(::timegm(&tm)) * 1000 + millis;
}

}  // namespace dsb::test
