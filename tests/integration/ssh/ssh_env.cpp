#include "tests/integration/ssh/ssh_env.hpp"

#include "tests/support/test_env.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace dsb::test {

namespace {

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// True once something on 127.0.0.1:`port` greets with an SSH banner.
bool ssh_banner(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  timeval tv{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[8] = {};
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                  ::recv(fd, buf, 4, MSG_WAITALL) == 4 && std::string(buf, 4) == "SSH-";
  ::close(fd);
  return ok;
}

}  // namespace

SshServices ssh_services() {
  return {require_port("DSB_TEST_SSH_PORT"), require_env("DSB_TEST_SSH_DIR"),
          require_port("DSB_TEST_PG_PORT"), require_port("DSB_TEST_MYSQL_PORT")};
}

std::string ssh_file(const std::string& name) {
  return read_file(ssh_services().ssh_dir + "/" + name);
}

std::string ssh_line(const std::string& name) {
  std::string text = ssh_file(name);
  return text.substr(0, text.find('\n'));
}

std::string sshd_log() {
  return ssh_file("sshd.log");
}

void expect_no_secret(const std::string& text) {
  EXPECT_EQ(text.find("testpass"), std::string::npos) << text;
  EXPECT_EQ(text.find("keypass"), std::string::npos) << text;
  for (const char* key : {"id_ed25519", "id_rsa", "id_ecdsa", "id_ed25519_pass"}) {
    std::istringstream lines(ssh_file(key));
    std::string line;
    std::getline(lines, line);  // -----BEGIN ...
    std::getline(lines, line);  // key material
    ASSERT_GT(line.size(), 20u);
    EXPECT_EQ(text.find(line.substr(0, 20)), std::string::npos) << key << " leaked: " << text;
  }
}

PrivateSshd::PrivateSshd(const std::vector<std::string>& extra, const std::string& host_key) {
  if (::geteuid() != 0) return;
  const std::string keys = ssh_services().ssh_dir;
  port_ = free_port();
  const std::string config = dir_.path() + "/sshd_config";
  {
    std::ofstream out(config);
    out << "ListenAddress 127.0.0.1:" << port_ << "\n";
    out << "HostKey " << (host_key.empty() ? keys + "/ssh_host_ed25519_key" : host_key) << "\n";
    out << "PidFile " << dir_.path() << "/sshd.pid\n";
    out << "AuthorizedKeysFile " << keys << "/authorized_keys\n";
    for (const char* line :
         {"AllowUsers sshtest", "PermitRootLogin no", "StrictModes no", "AllowTcpForwarding yes",
          "PermitOpen any", "X11Forwarding no", "UseDNS no", "LogLevel VERBOSE"})
      out << line << "\n";
    for (const auto& line : extra) out << line << "\n";
  }
  const std::string log_file = dir_.path() + "/sshd.log";
  std::vector<std::string> args{"/usr/sbin/sshd", "-D", "-f", config, "-E", log_file};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0) pid_ = pid;
  posix_spawn_file_actions_destroy(&actions);
  for (int i = 0; i < 100 && pid_ > 0 && !ssh_banner(port_); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

PrivateSshd::~PrivateSshd() {
  if (pid_ <= 0) return;
  // Per-connection children outlive the listener: end them first.
  std::ifstream children("/proc/" + std::to_string(pid_) + "/task/" + std::to_string(pid_) +
                         "/children");
  int child = 0;
  while (children >> child) ::kill(child, SIGTERM);
  ::kill(pid_, SIGTERM);
  ::waitpid(pid_, nullptr, 0);
}

std::string PrivateSshd::log() const {
  std::ifstream in(dir_.path() + "/sshd.log");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace dsb::test
