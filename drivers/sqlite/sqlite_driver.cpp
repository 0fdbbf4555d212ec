#include "drivers/sqlite/sqlite_driver.hpp"

#include "drivers/blocking_pool.hpp"
#include "drivers/file_root.hpp"
#include "drivers/sqlite/sqlite_session.hpp"

namespace dsb::drivers {

namespace {

namespace json = boost::json;

// Resolves the path under the root (the same checks as csv), then opens the
// file it really is, read-only.
Result<std::unique_ptr<sqlite::SqliteDb>> open_database(const std::string& root,
                                                        const std::string& relative,
                                                        Deadline deadline) {
  constexpr const char* kStage = "authenticate";
  auto file = open_under_root(root, relative, kStage);
  if (!file) return file.error();
  if (file->kind != PathKind::file) {
    return test_failure(kStage, reason::path_denied,
                        "'" + relative + "' is a folder, not a database file");
  }
  if (file->real_path.empty()) {
    return test_failure(kStage, reason::path_denied,
                        "'" + relative + "': the real path of the file is unknown");
  }
  return sqlite::SqliteDb::open(file->real_path, relative, deadline, kStage);
}

class SqliteDriver final : public Driver {
 public:
  // No network: tcp_connect and tls_handshake are skipped; authenticate is
  // opening the file (path_denied, database_not_found, permission_denied, or
  // protocol_error for a file that is not a database).
  asio::awaitable<Result<std::unique_ptr<DriverSession>>> connect(
      const ConnectTarget& target, StageReporter& reporter) override {
    const ConnectionSpec& spec = target.spec;
    reporter.skipped("tcp_connect");
    reporter.skipped("tls_handshake");
    reporter.begin("authenticate");
    const json::value* path = spec.options.if_contains("path");
    const std::string relative =
        path != nullptr && path->is_string() ? std::string(path->get_string()) : std::string();
    // Named before co_await: see run_blocking.
    auto job = [root = spec.file_root, relative, deadline = target.connect_deadline] {
      return open_database(root, relative, deadline);
    };
    auto db = co_await run_blocking(std::move(job));
    if (!db) {
      reporter.failed(db.error().reason, db.error().message);
      co_return db.error();
    }
    reporter.ok({{"path", relative}, {"kind", "file"}});
    co_return std::make_unique<sqlite::SqliteSession>(std::move(*db));
  }
};

}  // namespace

std::unique_ptr<Driver> make_sqlite_driver() {
  return std::make_unique<SqliteDriver>();
}

}  // namespace dsb::drivers
