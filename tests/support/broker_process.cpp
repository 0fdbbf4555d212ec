#include "tests/support/broker_process.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <regex>

namespace dsb::test {
namespace fs = std::filesystem;

namespace {

constexpr auto kStartDeadline = std::chrono::seconds(20);
constexpr auto kStopDeadline = std::chrono::seconds(20);

// fork + exec with stdout/stderr into a pipe; returns {pid, read fd}.
std::pair<int, int> spawn(const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {-1, -1};
  const int pid = ::fork();
  if (pid == 0) {
    // A test that crashes must not leave brokers behind.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  return {pid, fds[0]};
}

int wait_exit(int pid, std::chrono::steady_clock::duration deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    int status = 0;
    const int r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return -1;
}

}  // namespace

std::string broker_binary() {
  if (const char* p = std::getenv("DSB_BINARY")) return p;
  return DSB_BINARY_PATH;
}

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "dsb-test-XXXXXX").string();
  path_ = ::mkdtemp(tmpl.data()) ? tmpl : std::string();
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) fs::remove_all(path_, ec);
}

BrokerProcess::BrokerProcess(BrokerOptions opts) : opts_(std::move(opts)) { launch(); }

void BrokerProcess::launch() {
  std::vector<std::string> args = {broker_binary(), "serve", "--listen", "127.0.0.1:0",
                                   "--data-dir", opts_.data_dir};
  if (!opts_.config_file.empty()) {
    args.push_back("--config");
    args.push_back(opts_.config_file);
  }
  args.insert(args.end(), opts_.args.begin(), opts_.args.end());
  auto env = opts_.env;
  env["DSB_ADMIN_TOKEN"] = opts_.admin_token;
  if (!env.contains("DSB_SERVER_THREADS")) env["DSB_SERVER_THREADS"] = "2";
  auto [pid, fd] = spawn(args, env);
  ASSERT_GT(pid, 0) << "cannot start " << broker_binary();
  pid_ = pid;
  reader_ = std::thread([this, fd] { reader_loop(fd); });
  const std::regex listening("listening on [^\\n]*:([0-9]+)\\n");
  const auto until = std::chrono::steady_clock::now() + kStartDeadline;
  while (std::chrono::steady_clock::now() < until) {
    std::smatch m;
    const std::string out = output();
    if (std::regex_search(out, m, listening)) {
      port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      FAIL() << "dsbroker exited during start-up ("
             << (WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                                   : "signal " + std::to_string(WTERMSIG(status)))
             << "):\n"
             << output();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  FAIL() << "dsbroker did not print 'listening on' within the deadline:\n" << output();
}

BrokerProcess::~BrokerProcess() {
  if (pid_ > 0) stop();
  if (reader_.joinable()) reader_.join();
}

void BrokerProcess::reader_loop(int fd) {
  char buf[8192];
  for (;;) {
    const auto n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    std::lock_guard lock(mu_);
    output_.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
}

int BrokerProcess::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  const int code = wait_exit(pid_, kStopDeadline);
  pid_ = -1;
  if (reader_.joinable()) reader_.join();
  return code;
}

void BrokerProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  if (reader_.joinable()) reader_.join();
}

void BrokerProcess::send_signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

int BrokerProcess::wait_for_exit(std::chrono::milliseconds deadline) {
  if (pid_ <= 0) return -1;
  const int code = wait_exit(pid_, deadline);
  pid_ = -1;
  if (reader_.joinable()) reader_.join();
  return code;
}

std::string BrokerProcess::output() const {
  std::lock_guard lock(mu_);
  return output_;
}

std::pair<int, std::string> run_broker_command(const std::vector<std::string>& args,
                                               const std::map<std::string, std::string>& env) {
  std::vector<std::string> full = {broker_binary()};
  full.insert(full.end(), args.begin(), args.end());
  auto [pid, fd] = spawn(full, env);
  std::string out;
  char buf[4096];
  for (;;) {
    const auto n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return {wait_exit(pid, kStopDeadline), out};
}

}  // namespace dsb::test
