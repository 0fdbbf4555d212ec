// An HTTPS front for the test ClickHouse (which serves plain HTTP only): a
// TLS listener on 127.0.0.1 with the test server certificate (names
// localhost and 127.0.0.1, signed by the test CA) that relays each
// connection to ClickHouse's HTTP port. Runs on its own thread.
#pragma once

#include <cstdint>
#include <memory>

namespace dsb::test {

class ClickHouseTlsProxy {
 public:
  explicit ClickHouseTlsProxy(std::uint16_t upstream_port);
  ~ClickHouseTlsProxy();
  ClickHouseTlsProxy(const ClickHouseTlsProxy&) = delete;
  ClickHouseTlsProxy& operator=(const ClickHouseTlsProxy&) = delete;

  std::uint16_t port() const;
  // Completed TLS handshakes so far.
  int handshakes() const;
  // Requests of the ClickHouse driver relayed so far ("POST /?default_format=").
  int requests() const;
  // Closes every open connection, as a server does with idle keep-alives.
  void drop_connections();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dsb::test
