#include "tests/integration/drivers/driver_test_util.hpp"

#include "drivers/mysql/mysql_wire.hpp"
#include "tests/support/test_env.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <stdexcept>

namespace dsb::test {

asio::io_context& test_io() {
  static asio::io_context io;
  return io;
}

drivers::ConnectTarget local_target(drivers::ConnectionSpec spec, std::uint16_t port,
                                    std::chrono::milliseconds timeout) {
  drivers::ConnectTarget target;
  target.spec = std::move(spec);
  target.dial_address = "127.0.0.1";
  target.dial_port = port;
  target.connect_deadline = drivers::Clock::now() + timeout;
  target.overall_deadline = target.connect_deadline + 30s;
  return target;
}

drivers::TlsSettings test_ca_tls(const std::string& mode) {
  drivers::TlsSettings tls;
  tls.mode = mode;
  tls.ca_pem = read_file(require_env("DSB_TEST_TLS_DIR") + "/ca.crt");
  return tls;
}

drivers::TlsSettings client_cert_tls(const std::string& mode) {
  drivers::TlsSettings tls = test_ca_tls(mode);
  const std::string dir = require_env("DSB_TEST_TLS_DIR");
  tls.cert_pem = read_file(dir + "/client.crt");
  tls.key_pem = read_file(dir + "/client.key");
  return tls;
}

drivers::TlsSettings other_ca_tls(const std::string& mode) {
  drivers::TlsSettings tls;
  tls.mode = mode;
  tls.ca_pem = read_file(require_env("DSB_TEST_TLS_DIR") + "/other-ca.crt");
  return tls;
}

std::vector<std::string> stage_trail(const drivers::StageReporter& reporter) {
  std::vector<std::string> out;
  for (const auto& stage : reporter.stages()) out.push_back(stage.stage + ":" + stage.status);
  return out;
}

std::string unique_name(const std::string& prefix) {
  static std::atomic<int> counter{0};
  static const unsigned salt = std::random_device{}() % 100000;
  return prefix + std::to_string(::getpid()) + "_" + std::to_string(salt) + "_" +
         std::to_string(counter++);
}

namespace {

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

std::uint16_t bound_port(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("getsockname failed");
  }
  return ntohs(addr.sin_port);
}

int bind_loopback() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr = loopback(0);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("cannot bind a loopback socket");
  }
  return fd;
}

}  // namespace

SilentListener::SilentListener() {
  listen_fd_ = bind_loopback();
  if (::listen(listen_fd_, 1024) != 0 || ::pipe(stop_pipe_) != 0) {
    throw std::runtime_error("cannot listen");
  }
  port_ = bound_port(listen_fd_);
  thread_ = std::thread([this] {
    std::vector<int> held;
    for (;;) {
      pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) continue;
      if (fds[1].revents != 0) break;
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) {
        held.push_back(fd);
        ++accepted_;
      }
    }
    for (int fd : held) ::close(fd);
  });
}

SilentListener::~SilentListener() {
  const char stop = 'x';
  (void)::write(stop_pipe_[1], &stop, 1);
  thread_.join();
  ::close(listen_fd_);
  ::close(stop_pipe_[0]);
  ::close(stop_pipe_[1]);
}

DowngradingProxy::DowngradingProxy(std::uint16_t upstream_port) : upstream_(upstream_port) {
  listen_fd_ = bind_loopback();
  if (::listen(listen_fd_, 64) != 0 || ::pipe(stop_pipe_) != 0) {
    throw std::runtime_error("cannot listen");
  }
  port_ = bound_port(listen_fd_);
  thread_ = std::thread([this] {
    for (;;) {
      pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) continue;
      if (fds[1].revents != 0) break;
      const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      const int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in addr = loopback(upstream_);
      unsigned char greeting[4096];
      ssize_t n = -1;
      if (::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        n = ::recv(server, greeting, sizeof greeting, 0);  // one small packet
      }
      if (n > 4) {
        std::span<unsigned char> payload(greeting + 4, static_cast<std::size_t>(n) - 4);
        if (auto parsed = drivers::mysql::wire::parse_greeting(payload)) {
          drivers::mysql::wire::clear_ssl_capability(payload, *parsed);
        }
        (void)::send(client, greeting, static_cast<std::size_t>(n), MSG_NOSIGNAL);
        ++greetings_;
        pollfd in = {client, POLLIN, 0};
        char buf[4096];
        while (::poll(&in, 1, 1000) > 0) {  // record until the client closes or stops
          const ssize_t got = ::recv(client, buf, sizeof buf, 0);
          if (got <= 0) break;
          client_bytes_ += static_cast<std::size_t>(got);
        }
      }
      ::close(server);
      ::close(client);
    }
  });
}

void DowngradingProxy::stop() {
  if (!thread_.joinable()) return;
  const char stop = 'x';
  (void)::write(stop_pipe_[1], &stop, 1);
  thread_.join();
}

DowngradingProxy::~DowngradingProxy() {
  stop();
  ::close(listen_fd_);
  ::close(stop_pipe_[0]);
  ::close(stop_pipe_[1]);
}

ClosedPort::ClosedPort() : fd_(bind_loopback()), port_(bound_port(fd_)) {}

ClosedPort::~ClosedPort() {
  ::close(fd_);
}

ScopedEnv::ScopedEnv(const char* name, const std::string& value) : name_(name) {
  if (const char* old = std::getenv(name)) old_ = old;
  ::setenv(name, value.c_str(), 1);
}

ScopedEnv::~ScopedEnv() {
  if (old_) {
    ::setenv(name_.c_str(), old_->c_str(), 1);
  } else {
    ::unsetenv(name_.c_str());
  }
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace dsb::test
