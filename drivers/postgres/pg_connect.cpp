#include "drivers/postgres/pg_connect.hpp"

#include "drivers/driver.hpp"
#include "drivers/postgres/pg_errors.hpp"
#include "drivers/secret_scrub.hpp"
#include "drivers/socket_wait.hpp"
#include "drivers/tls_files.hpp"

#include <openssl/x509.h>

#include <chrono>

namespace dsb::drivers::postgres {

namespace asio = boost::asio;

namespace {

// A path nobody can create (a file below a character device): aims libpq's
// ~/.pgpass lookup at nothing.
constexpr const char* kNoFile = "/dev/null/dsbroker-none";

// Keyword/value arrays for PQconnectStartParams, owning their strings.
class ConnParams {
 public:
  void add(const char* key, std::string value) {
    keys_.push_back(key);
    values_.push_back(std::move(value));
  }
  std::vector<const char*> keys() const {
    std::vector<const char*> out(keys_);
    out.push_back(nullptr);
    return out;
  }
  std::vector<const char*> values() const {
    std::vector<const char*> out;
    for (const auto& v : values_) out.push_back(v.c_str());
    out.push_back(nullptr);
    return out;
  }

 private:
  std::vector<const char*> keys_;
  std::vector<std::string> values_;
};

ConnParams connect_params(const ConnectTarget& target, const TlsFiles& files) {
  const ConnectionSpec& spec = target.spec;
  ConnParams p;
  p.add("hostaddr", target.dial_address);
  if (!spec.host.empty()) p.add("host", spec.host);  // TLS name checks and SNI
  p.add("port", std::to_string(target.dial_port));
  if (!spec.database.empty()) p.add("dbname", spec.database);
  if (!spec.username.empty()) p.add("user", spec.username);
  if (!spec.password.empty()) p.add("password", spec.password);
  p.add("passfile", kNoFile);
  p.add("application_name", "dsbroker");
  p.add("client_encoding", "UTF8");
  p.add("gssencmode", "disable");
  p.add("target_session_attrs", "any");
  // The same names as our modes; never prefer/allow, so no plaintext fallback.
  p.add("sslmode", spec.tls.mode);
  if (!spec.tls.enabled()) return p;

  const bool verify = spec.tls.mode != "require";
  std::string root = files.ca_path();
  if (root.empty()) root = verify ? X509_get_default_cert_file() : files.absent_path("root.crt");
  p.add("sslrootcert", root);
  p.add("sslcert", files.cert_path().empty() ? files.absent_path("client.crt") : files.cert_path());
  p.add("sslkey", files.key_path().empty() ? files.absent_path("client.key") : files.key_path());
  p.add("sslcrl", files.absent_path("root.crl"));
  p.add("sslcrldir", files.absent_path("crl"));
  return p;
}

enum class Phase { tcp, tls, auth, done };

// Moves the reported stage forward as libpq's connection status advances.
class StageTracker {
 public:
  StageTracker(StageReporter& reporter, bool tls) : reporter_(reporter), tls_(tls) {}

  void observe(ConnStatusType status) {
    if (status == CONNECTION_BAD) return;
    if (phase_ == Phase::tcp && status != CONNECTION_STARTED && status != CONNECTION_NEEDED) {
      reporter_.ok();
      if (tls_) {
        reporter_.begin("tls_handshake");
        phase_ = Phase::tls;
      } else {
        reporter_.skipped("tls_handshake");
        reporter_.begin("authenticate");
        phase_ = Phase::auth;
      }
    }
    if (phase_ == Phase::tls && status != CONNECTION_MADE && status != CONNECTION_SSL_STARTUP) {
      reporter_.ok();
      reporter_.begin("authenticate");
      phase_ = Phase::auth;
    }
    if (phase_ == Phase::auth && status == CONNECTION_OK) {
      reporter_.ok();
      phase_ = Phase::done;
    }
  }

 private:
  StageReporter& reporter_;
  bool tls_;
  Phase phase_ = Phase::tcp;
};

Failure report_failure(StageReporter& reporter, const char* why, std::string message) {
  std::string stage = reporter.current_stage();
  reporter.failed(why, message);
  return test_failure(std::move(stage), why, std::move(message));
}

Failure libpq_failure(StageReporter& reporter, PGconn* conn,
                      const std::vector<std::string>& secrets) {
  const PgMessage parsed = parse_verbose_message(conn != nullptr ? PQerrorMessage(conn) : "");
  const char* why = connect_failure_reason(reporter.current_stage(), parsed);
  std::string message = scrub_secrets(parsed.text, secrets);
  if (message.empty()) message = "the connection failed";
  return report_failure(reporter, why, std::move(message));
}

std::string timeout_message(const std::string& stage) {
  return "no answer from the server before the connect deadline (during " + stage + ")";
}

}  // namespace

asio::awaitable<Result<PgConnPtr>> pg_connect(const ConnectTarget& target,
                                              StageReporter& reporter) {
  const ConnectionSpec& spec = target.spec;
  const std::vector<std::string> secrets = spec.secrets();
  reporter.begin("tcp_connect");
  if (!spec.tls.known_mode()) {
    co_return report_failure(reporter, reason::tls_failed,
                             "unknown TLS mode '" + spec.tls.mode + "'");
  }
  auto files = TlsFiles::create(spec.tls);  // removed when the connect ends
  if (!files) {
    reporter.failed(reason::tls_failed, files.error().message);
    co_return files.error();
  }

  const ConnParams params = connect_params(target, *files);
  const auto keys = params.keys();
  const auto values = params.values();
  PgConnPtr conn(PQconnectStartParams(keys.data(), values.data(), 0));
  if (!conn) co_return report_failure(reporter, reason::protocol_error, "out of memory");
  PQsetErrorVerbosity(conn.get(), PQERRORS_VERBOSE);  // SQLSTATEs in connect errors

  StageTracker stages(reporter, spec.tls.enabled());
  // Per the libpq docs, start as if PQconnectPoll had asked for writing.
  PostgresPollingStatusType poll = PGRES_POLLING_WRITING;
  if (PQstatus(conn.get()) == CONNECTION_BAD) poll = PGRES_POLLING_FAILED;
  for (;;) {
    stages.observe(PQstatus(conn.get()));
    if (poll == PGRES_POLLING_OK) break;
    if (poll == PGRES_POLLING_FAILED) co_return libpq_failure(reporter, conn.get(), secrets);
    // The socket can change between polls: ask for it every time.
    const Interest interest = poll == PGRES_POLLING_READING ? Interest::read : Interest::write;
    const WaitOutcome waited =
        co_await wait_socket(PQsocket(conn.get()), interest, target.connect_deadline);
    if (waited.status == WaitStatus::timed_out) {
      co_return report_failure(reporter, reason::timeout,
                               timeout_message(reporter.current_stage()));
    }
    if (waited.status == WaitStatus::failed) {
      co_return report_failure(reporter, reason::protocol_error, waited.error.message());
    }
    poll = PQconnectPoll(conn.get());
  }

  PQsetErrorVerbosity(conn.get(), PQERRORS_DEFAULT);
  if (PQsetnonblocking(conn.get(), 1) != 0) co_return libpq_failure(reporter, conn.get(), secrets);
  co_return conn;
}

}  // namespace dsb::drivers::postgres
