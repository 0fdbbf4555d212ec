// The listening side: one acceptor per shard on the same port
// (SO_REUSEPORT), optional TLS, graceful shutdown.
#pragma once

#include "server/app.hpp"
#include "server/connection_registry.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <memory>
#include <vector>

namespace dsb::server {

class Server {
 public:
  explicit Server(App& app);
  ~Server();

  // Binds every shard's acceptor, starts the shard threads, and returns the
  // bound endpoint (port 0 resolved). Throws std::runtime_error on failure.
  boost::asio::ip::tcp::endpoint start();

  // Stops accepting, lets in-flight requests finish within `grace`, closes
  // idle connections, then stops the shards.
  void stop(std::chrono::milliseconds grace);

 private:
  void open_acceptors(const boost::asio::ip::tcp::endpoint& requested);

  App& app_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;  // [i] on shard i
  std::unique_ptr<Sharded<ConnectionRegistry>> registries_;
  bool running_ = false;
};

}  // namespace dsb::server
