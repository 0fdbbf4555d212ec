#include "drivers/mysql/mysql_connect.hpp"

#include "drivers/driver.hpp"
#include "drivers/mysql/mysql_async.hpp"
#include "drivers/mysql/mysql_errors.hpp"
#include "drivers/secret_scrub.hpp"
#include "drivers/tls_files.hpp"

#include <sys/socket.h>

#include <optional>
#include <utility>

namespace dsb::drivers::mysql {

namespace asio = boost::asio;

namespace {

bool socket_connected(int fd) {
  if (fd < 0) return false;
  sockaddr_storage peer{};
  socklen_t len = sizeof peer;
  return ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) == 0;
}

// Options for a fresh handle; no TLS option is ever set (TLS is the relay's).
void set_options(MYSQL* mysql, unsigned int protocol) {
  mysql_options(mysql, MYSQL_OPT_NONBLOCK, nullptr);
  mysql_options(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  mysql_options(mysql, MYSQL_OPT_PROTOCOL, &protocol);
  // A server could otherwise ask us for any local file.
  const unsigned int no_local_files = 0;
  mysql_options(mysql, MYSQL_OPT_LOCAL_INFILE, &no_local_files);
  const my_bool no_reconnect = 0;
  mysql_options(mysql, MYSQL_OPT_RECONNECT, &no_reconnect);
}

Failure report_failure(StageReporter& reporter, const char* why, std::string message) {
  std::string stage = reporter.current_stage();
  reporter.failed(why, message);
  return test_failure(std::move(stage), why, std::move(message));
}

// Without TLS: tcp_connect ends at the first suspension where the socket
// has a peer; the handshake then counts as authentication.
class PlainStages {
 public:
  explicit PlainStages(StageReporter& reporter) : reporter_(reporter) {}
  void observe(MYSQL* mysql, bool finished) {
    if (!tcp_done_ && (finished || socket_connected(mysql_get_socket(mysql)))) {
      tcp_done_ = true;
      reporter_.ok();
      reporter_.skipped("tls_handshake");
      reporter_.begin("authenticate");
    }
    if (finished) reporter_.ok();
  }

 private:
  StageReporter& reporter_;
  bool tcp_done_ = false;
};

}  // namespace

asio::awaitable<Result<OpenConnection>> mysql_connect(const ConnectTarget& target,
                                                      StageReporter& reporter) {
  const ConnectionSpec& spec = target.spec;
  const std::vector<std::string> secrets = spec.secrets();
  reporter.begin("tcp_connect");
  if (!spec.tls.known_mode()) {
    co_return report_failure(reporter, reason::tls_failed,
                             "unknown TLS mode '" + spec.tls.mode + "'");
  }

  OpenConnection open;
  std::optional<TlsFiles> dir;  // holds the relay's socket; removed when the connect ends
  if (spec.tls.enabled()) {
    auto made = TlsFiles::empty_dir();
    if (!made) {
      reporter.failed(reason::tls_failed, made.error().message);
      co_return made.error();
    }
    dir.emplace(std::move(*made));
    auto relay = co_await TlsRelay::open(target, dir->dir(), reporter);
    if (!relay) co_return relay.error();
    open.relay = std::move(*relay);
  }
  std::optional<std::pair<const char*, std::string>> tls_failure;
  if (open.relay) {
    open.relay->serve([&](const char* why, const std::string& message) {
      if (why != nullptr) {
        tls_failure.emplace(why, message);
        return;
      }
      reporter.ok();
      reporter.begin("authenticate");
    });
  }

  open.handle = MysqlHandle(mysql_init(nullptr));
  if (!open.handle) co_return report_failure(reporter, reason::protocol_error, "out of memory");
  MYSQL* mysql = open.handle.get();
  set_options(mysql, open.relay ? MYSQL_PROTOCOL_SOCKET : MYSQL_PROTOCOL_TCP);

  PlainStages stages(reporter);
  MYSQL* connected = nullptr;
  const char* database = spec.database.empty() ? nullptr : spec.database.c_str();
  const int status =
      open.relay ? mysql_real_connect_start(&connected, mysql, "localhost", spec.username.c_str(),
                                            spec.password.c_str(), database, 0,
                                            open.relay->socket_path().c_str(), 0)
                 : mysql_real_connect_start(&connected, mysql, target.dial_address.c_str(),
                                            spec.username.c_str(), spec.password.c_str(), database,
                                            target.dial_port, nullptr, 0);
  const DriveResult driven = co_await drive(
      mysql, status, [&](int events) { return mysql_real_connect_cont(&connected, mysql, events); },
      target.connect_deadline,
      [&] {
        if (!open.relay) stages.observe(mysql, false);
      });

  if (open.relay) open.relay->forget_outcome();  // `reporter` may not outlive us

  const auto give_up = [&] {
    if (open.relay) open.relay->close();
  };
  if (tls_failure && (driven.end != DriveEnd::done || connected == nullptr)) {
    open.handle.abandon();
    give_up();
    co_return report_failure(reporter, tls_failure->first,
                             scrub_secrets(tls_failure->second, secrets));
  }
  if (driven.end != DriveEnd::done) {
    open.handle.abandon();
    give_up();
    if (driven.end == DriveEnd::timed_out) {
      co_return report_failure(reporter, reason::timeout,
                               "no answer from the server before the connect deadline (during " +
                                   reporter.current_stage() + ")");
    }
    co_return report_failure(reporter, reason::protocol_error, driven.error.message());
  }
  if (connected == nullptr) {
    give_up();
    const unsigned code = mysql_errno(mysql);
    const std::string message = scrub_secrets(mysql_error(mysql), secrets);
    co_return report_failure(reporter, failure_reason(code, reporter.current_stage(), message),
                             message.empty() ? "the connection failed" : message);
  }
  if (open.relay) {
    reporter.ok();
  } else {
    stages.observe(mysql, true);
  }
  co_return std::move(open);
}

}  // namespace dsb::drivers::mysql
