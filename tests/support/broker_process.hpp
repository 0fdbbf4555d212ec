// Runs the real dsbroker binary for integration tests: port 0, a temp data
// dir, stdout captured so tests can inspect the log lines.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace dsb::test {

// A fresh directory under $TMPDIR, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct BrokerOptions {
  std::string data_dir;                        // required
  std::string admin_token = "test-admin-token-0123456789abcdef";
  std::map<std::string, std::string> env;      // extra DSB_* variables
  std::vector<std::string> args;               // extra flags after `serve`
  std::string config_file;                     // --config, optional
};

class BrokerProcess {
 public:
  // Starts and waits (bounded) for "listening on"; fails the test otherwise.
  explicit BrokerProcess(BrokerOptions opts);
  ~BrokerProcess();

  std::uint16_t port() const { return port_; }
  const std::string& admin_token() const { return opts_.admin_token; }
  bool running() const { return pid_ > 0; }

  // SIGTERM and wait; returns the exit status (or -1).
  int stop();
  // SIGKILL, no chance to flush anything.
  void kill9();
  // Sends `sig` without waiting (e.g. SIGTERM while a request is in flight).
  void send_signal(int sig);
  // Waits (bounded) for the process to exit after send_signal; returns the
  // exit status, or -1 when it did not exit in time (it is then killed).
  int wait_for_exit(std::chrono::milliseconds deadline);

  // Everything the process wrote to stdout and stderr so far.
  std::string output() const;

 private:
  void launch();
  void reader_loop(int fd);

  BrokerOptions opts_;
  int pid_ = -1;
  std::uint16_t port_ = 0;
  std::thread reader_;
  mutable std::mutex mu_;
  std::string output_;
};

// Runs `dsbroker ARGS...` to completion; returns {exit code, stdout+stderr}.
std::pair<int, std::string> run_broker_command(const std::vector<std::string>& args,
                                               const std::map<std::string, std::string>& env);

std::string broker_binary();

}  // namespace dsb::test
