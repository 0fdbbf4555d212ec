// A TCP listener on 127.0.0.1 that accepts every connection and never sends a
// byte: the server that hangs during the handshake, for deadline tests.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace dsb::test {

class SilentListener {
 public:
  SilentListener();   // binds port 0 and starts accepting on a thread
  ~SilentListener();  // stops the thread and closes every socket
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;

  std::uint16_t port() const { return port_; }
  int accepted() const { return accepted_.load(); }

 private:
  void run();

  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::vector<int> held_;  // only the thread touches it until join
  std::thread thread_;
};

}  // namespace dsb::test
