#include "tests/integration/ssh/ssh_fixture.hpp"

#include "tests/support/test_env.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace dsb::test {

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

drivers::SshSettings ssh_with_password(const std::string& password) {
  drivers::SshSettings ssh;
  ssh.enabled = true;
  ssh.host = "127.0.0.1";
  ssh.port = ssh_services().ssh_port;
  ssh.username = "sshtest";
  ssh.password = password;
  return ssh;
}

drivers::SshSettings ssh_with_key(const std::string& key_file, const std::string& passphrase) {
  drivers::SshSettings ssh = ssh_with_password("");
  ssh.private_key = ssh_file(key_file);
  ssh.passphrase = passphrase;
  return ssh;
}

drivers::ConnectionSpec pg_spec(const drivers::SshSettings& ssh) {
  drivers::ConnectionSpec spec;
  spec.type = "postgres";
  spec.host = "127.0.0.1";
  spec.port = ssh_services().pg_port;
  spec.database = "testdb";
  spec.username = "testuser";
  spec.password = "testpass";
  spec.ssh = ssh;
  return spec;
}

drivers::ConnectionSpec mysql_spec(const drivers::SshSettings& ssh) {
  drivers::ConnectionSpec spec = pg_spec(ssh);
  spec.type = "mariadb";
  spec.port = ssh_services().mysql_port;
  return spec;
}

drivers::StageRecord TestRun::record(const std::string& stage) const {
  for (const auto& s : stages)
    if (s.stage == stage) return s;
  return {};
}

TestRun run_test(const drivers::ConnectionSpec& spec, bool fetch_schema,
                 std::chrono::milliseconds connect, std::chrono::milliseconds test,
                 const drivers::EgressPolicy& egress) {
  drivers::StageReporter reporter;
  drivers::TestRequest request{spec, fetch_schema, {}, {connect, test, std::chrono::seconds(60)}};
  const auto start = std::chrono::steady_clock::now();
  TestRun run;
  run.outcome = run_all(drivers::run_connection_test(std::move(request), egress, reporter));
  run.elapsed_ms = ms_since(start);
  run.trail = stage_trail(reporter);
  run.stages = reporter.stages();
  return run;
}

namespace {

template <class F>
int count_fds(F&& keep) {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int n = 0;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    const int fd = std::atoi(e->d_name);
    if (fd != ::dirfd(dir) && keep(fd)) ++n;
  }
  ::closedir(dir);
  return n;
}

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

int open_fds() {
  return count_fds([](int) { return true; });
}

int listening_sockets() {
  return count_fds([](int fd) {
    int listening = 0;
    socklen_t len = sizeof listening;
    return ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 && listening != 0;
  });
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

PrivateSshd::PrivateSshd(const std::vector<std::string>& extra) {
  if (::geteuid() != 0) return;
  const std::string keys = ssh_services().ssh_dir;
  port_ = free_port();
  const std::string config = dir_.path() + "/sshd_config";
  {
    std::ofstream out(config);
    out << "ListenAddress 127.0.0.1:" << port_ << "\nHostKey " << keys
        << "/ssh_host_ed25519_key\nPidFile " << dir_.path() << "/sshd.pid\nAuthorizedKeysFile "
        << keys
        << "/authorized_keys\nAllowUsers sshtest\nPermitRootLogin no\nStrictModes "
           "no\nAllowTcpForwarding yes\n"
           "PermitOpen any\nX11Forwarding no\nUseDNS no\nLogLevel VERBOSE\n";
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
