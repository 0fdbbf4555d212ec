#include "server/server.hpp"

#include "server/http_session.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <future>
#include <stdexcept>
#include <thread>

namespace dsb::server {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

std::unique_ptr<asio::ssl::context> make_tls_context(const config::Config& cfg) {
  if (cfg.server.tls_cert.empty()) return nullptr;
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cfg.server.tls_cert, ec);
  if (ec)
    throw config::ConfigError("config key server.tls.cert: cannot load " + cfg.server.tls_cert +
                              ": " + ec.message());
  ctx->use_private_key_file(cfg.server.tls_key, asio::ssl::context::pem, ec);
  if (ec)
    throw config::ConfigError("config key server.tls.key: cannot load " + cfg.server.tls_key +
                              ": " + ec.message());
  return ctx;
}

asio::awaitable<void> accept_loop(App& app, tcp::acceptor& acceptor, asio::ssl::context* tls,
                                  ConnectionRegistry& registry) {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket =
        co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) continue;  // EMFILE and friends: keep serving the connections we have
    if (app.open_connections >= app.config.server.max_connections) {
      socket.close(ec);  // over the limit: refuse at once rather than queue
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(acceptor.get_executor(), serve_connection(app, std::move(socket), tls, registry),
                   asio::detached);
  }
}

}  // namespace

Server::Server(App& app) : app_(app), tls_(make_tls_context(app.config)) {}

Server::~Server() {
  if (running_) stop(std::chrono::milliseconds(0));
}

void Server::open_acceptors(const tcp::endpoint& requested) {
  tcp::endpoint ep = requested;
  for (std::size_t i = 0; i < app_.shards->size(); ++i) {
    auto acc = std::make_unique<tcp::acceptor>(app_.shards->at(i).io());
    acc->open(ep.protocol());
    acc->set_option(tcp::acceptor::reuse_address(true));
    acc->set_option(reuse_port(true));
    boost::system::error_code ec;
    acc->bind(ep, ec);
    if (ec)
      throw std::runtime_error("cannot listen on " + app_.config.server.listen + ": " +
                               ec.message());
    acc->listen(asio::socket_base::max_listen_connections);
    // Port 0: the first bind picks the port, every other shard joins it.
    ep = acc->local_endpoint();
    acceptors_.push_back(std::move(acc));
  }
}

tcp::endpoint Server::start() {
  const auto hp = app_.config.listen_endpoint();
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(hp.host, ec);
  if (ec) {
    if (hp.host != "localhost")
      throw std::runtime_error("server.listen: host must be an IP address or localhost");
    addr = asio::ip::make_address("127.0.0.1");
  }
  open_acceptors(tcp::endpoint(addr, hp.port));
  registries_ = std::make_unique<Sharded<ConnectionRegistry>>(
      *app_.shards, [](std::size_t) { return std::make_unique<ConnectionRegistry>(); });
  for (std::size_t i = 0; i < acceptors_.size(); ++i) {
    asio::co_spawn(app_.shards->at(i).io(),
                   accept_loop(app_, *acceptors_[i], tls_.get(), registries_->on(i)),
                   asio::detached);
  }
  app_.shards->start_all();
  running_ = true;
  return acceptors_.front()->local_endpoint();
}

void Server::stop(std::chrono::milliseconds grace) {
  if (!running_) return;
  running_ = false;
  app_.draining = true;
  // Close acceptors, idle connections and event sessions on their own shards.
  std::vector<std::future<void>> done;
  for (std::size_t i = 0; i < acceptors_.size(); ++i) {
    auto p = std::make_shared<std::promise<void>>();
    done.push_back(p->get_future());
    asio::post(app_.shards->at(i).io(), [this, i, p] {
      boost::system::error_code ec;
      acceptors_[i]->close(ec);
      registries_->on(i).close_idle();
      // A WebSocket never finishes "its request": end them now, with a close
      // frame, instead of holding the drain for the whole grace period.
      if (app_.event_sessions) app_.event_sessions->on(i).close_all();
      p->set_value();
    });
  }
  for (auto& f : done) f.wait_for(std::chrono::seconds(5));
  // Busy connections finish their request, then see the drain flag.
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (app_.open_connections > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  app_.shards->stop_all();
  app_.shards->join_all();
  acceptors_.clear();
}

}  // namespace dsb::server
