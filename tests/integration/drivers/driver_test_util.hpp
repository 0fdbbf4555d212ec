// Helpers shared by the driver integration tests: running a coroutine to
// completion, targets, a listener that never answers, a closed port.
#pragma once

#include "drivers/driver.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace dsb::test {

using namespace std::chrono_literals;
namespace asio = boost::asio;

// The io_context the tests run on (this thread). It lives for the whole
// process, like a shard's: sessions may keep work on it between calls (the
// MySQL TLS relay does).
asio::io_context& test_io();

// Runs `task` on test_io() until it finishes.
template <class T>
T run_task(asio::awaitable<T> task) {
  asio::io_context& io = test_io();
  std::optional<T> out;
  std::exception_ptr error;
  bool done = false;
  asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) out.emplace(std::move(value));
    done = true;
  });
  io.restart();
  while (!done) io.run_one();
  // Let anything the task set in motion without waiting (closing a
  // session, say) take its next step.
  io.poll();
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

// A target dialling 127.0.0.1:`port` with `timeout` for the connect.
drivers::ConnectTarget local_target(drivers::ConnectionSpec spec, std::uint16_t port,
                                    std::chrono::milliseconds timeout = 5s);

// TLS settings with the test CA (DSB_TEST_TLS_DIR/ca.crt) and `mode`.
drivers::TlsSettings test_ca_tls(const std::string& mode);
// The client certificate and key of certuser, plus the test CA.
drivers::TlsSettings client_cert_tls(const std::string& mode);
// A CA that did not sign the server certificate.
drivers::TlsSettings other_ca_tls(const std::string& mode);

// "stage:status" of each recorded stage, in order.
std::vector<std::string> stage_trail(const drivers::StageReporter& reporter);

// A name no earlier run used: prefix + pid + counter + random.
std::string unique_name(const std::string& prefix);

// A TCP listener on 127.0.0.1 that accepts every connection and never sends
// or reads a byte; the sockets stay open until it is destroyed.
class SilentListener {
 public:
  SilentListener();
  ~SilentListener();
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  std::uint16_t port() const { return port_; }
  int accepted() const { return accepted_.load(); }

 private:
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  std::uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

// A port on 127.0.0.1 that is bound but not listening, so connecting is
// refused, and nobody else can take it while this object lives.
class ClosedPort {
 public:
  ClosedPort();
  ~ClosedPort();
  ClosedPort(const ClosedPort&) = delete;
  ClosedPort& operator=(const ClosedPort&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// A TCP proxy in front of a real MySQL server that strips CLIENT_SSL from
// the server's greeting (what an active attacker would do) and then only
// records what the client sends, forwarding nothing.
class DowngradingProxy {
 public:
  explicit DowngradingProxy(std::uint16_t upstream_port);
  ~DowngradingProxy();
  DowngradingProxy(const DowngradingProxy&) = delete;
  DowngradingProxy& operator=(const DowngradingProxy&) = delete;
  std::uint16_t port() const { return port_; }
  // Finishes the connection in hand and stops accepting (idempotent).
  void stop();
  // Bytes clients sent after the greeting, over all connections.
  std::size_t client_bytes() const { return client_bytes_.load(); }
  int greetings_sent() const { return greetings_.load(); }

 private:
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  std::uint16_t port_ = 0;
  std::uint16_t upstream_ = 0;
  std::atomic<std::size_t> client_bytes_{0};
  std::atomic<int> greetings_{0};
  std::thread thread_;
};

// Sets an environment variable for the lifetime of the object.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value);
  ~ScopedEnv();

 private:
  std::string name_;
  std::optional<std::string> old_;
};

double ms_since(std::chrono::steady_clock::time_point start);

}  // namespace dsb::test
