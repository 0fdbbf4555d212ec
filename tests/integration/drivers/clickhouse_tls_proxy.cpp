#include "tests/integration/drivers/clickhouse_tls_proxy.hpp"

#include "tests/support/test_env.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <atomic>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace dsb::test {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

struct Link {
  Link(asio::io_context& io, ssl::context& ctx) : client(io, ctx), upstream(io) {}
  void close() {
    boost::system::error_code ignored;
    client.lowest_layer().close(ignored);
    upstream.close(ignored);
  }
  ssl::stream<tcp::socket> client;
  tcp::socket upstream;
};

// Copies `from` to `to` until either side ends; counts the driver's request
// lines ("POST /?default_format=") in what it copies when `requests` is
// given. (A request follows the previous body directly, with no line break.)
template <class From, class To>
asio::awaitable<void> pump(std::shared_ptr<Link> link, From& from, To& to,
                           std::atomic<int>* requests) {
  static constexpr std::string_view kRequestLine = "POST /?default_format=";
  char buf[16 * 1024];
  std::string tail;  // the last bytes seen, so a request line cut between reads is found once
  for (;;) {
    auto [rec, n] = co_await from.async_read_some(asio::buffer(buf), use_tuple);
    if (rec) break;
    if (requests != nullptr) {
      const std::string seen = tail + std::string(buf, n);
      for (auto at = seen.find(kRequestLine); at != std::string::npos;
           at = seen.find(kRequestLine, at + 1)) {
        ++*requests;
      }
      // Shorter than the request line, so no match is ever counted twice.
      tail = seen.substr(seen.size() - std::min(seen.size(), kRequestLine.size() - 1));
    }
    auto [wec, written] = co_await asio::async_write(to, asio::buffer(buf, n), use_tuple);
    if (wec) break;
  }
  link->close();
}

}  // namespace

struct ClickHouseTlsProxy::Impl {
  explicit Impl(std::uint16_t upstream) : upstream_port(upstream) {
    const std::string dir = require_env("DSB_TEST_TLS_DIR");
    ctx.use_certificate_chain_file(dir + "/server.crt");
    ctx.use_private_key_file(dir + "/server.key", ssl::context::pem);
    acceptor.open(tcp::v4());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor.listen();
    asio::co_spawn(io, accept_loop(), asio::detached);
    thread = std::thread([this] { io.run(); });
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto link = std::make_shared<Link>(io, ctx);
      auto [ec] = co_await acceptor.async_accept(link->client.lowest_layer(), use_tuple);
      if (ec) co_return;
      asio::co_spawn(io, serve(link), asio::detached);
    }
  }

  asio::awaitable<void> serve(std::shared_ptr<Link> link) {
    auto [hec] = co_await link->client.async_handshake(ssl::stream_base::server, use_tuple);
    if (hec) co_return link->close();
    ++handshakes;
    auto [cec] = co_await link->upstream.async_connect(
        {asio::ip::make_address("127.0.0.1"), upstream_port}, use_tuple);
    if (cec) co_return link->close();
    links.push_back(link);
    asio::co_spawn(io, pump(link, link->client, link->upstream, &requests), asio::detached);
    asio::co_spawn(io, pump(link, link->upstream, link->client, nullptr), asio::detached);
  }

  std::uint16_t upstream_port;
  asio::io_context io;
  ssl::context ctx{ssl::context::tls_server};
  tcp::acceptor acceptor{io};
  std::atomic<int> handshakes{0};
  std::atomic<int> requests{0};
  std::vector<std::weak_ptr<Link>> links;  // used on the proxy thread only
  std::thread thread;
};

ClickHouseTlsProxy::ClickHouseTlsProxy(std::uint16_t upstream_port)
    : impl_(std::make_unique<Impl>(upstream_port)) {}

ClickHouseTlsProxy::~ClickHouseTlsProxy() {
  impl_->io.stop();
  impl_->thread.join();
}

std::uint16_t ClickHouseTlsProxy::port() const {
  return impl_->acceptor.local_endpoint().port();
}

int ClickHouseTlsProxy::handshakes() const {
  return impl_->handshakes.load();
}

int ClickHouseTlsProxy::requests() const {
  return impl_->requests.load();
}

void ClickHouseTlsProxy::drop_connections() {
  std::promise<void> done;
  asio::post(impl_->io, [this, &done] {
    for (auto& weak : impl_->links)
      if (auto link = weak.lock()) link->close();
    impl_->links.clear();
    done.set_value();
  });
  done.get_future().wait();
}

}  // namespace dsb::test
