#include "tests/integration/ssh/ssh_fixture.hpp"

#include "tests/support/test_env.hpp"

#include <dirent.h>
#include <sys/socket.h>

#include <cstdlib>

namespace dsb::test {

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

}  // namespace dsb::test
