#include "drivers/mysql/mysql_connection.hpp"

#include "drivers/driver.hpp"
#include "drivers/mysql/mysql_async.hpp"
#include "drivers/mysql/mysql_errors.hpp"
#include "drivers/secret_scrub.hpp"

namespace dsb::drivers::mysql {

namespace asio = boost::asio;

namespace {

struct BusyScope {
  bool& busy;
  explicit BusyScope(bool& flag) : busy(flag) { busy = true; }
  ~BusyScope() { busy = false; }
};

// Connection-level client errors (2000-2999) leave the session unusable.
bool connection_lost(unsigned code) {
  return code == 2006 || code == 2013 || code == 2055;
}

}  // namespace

MysqlConnection::MysqlConnection(OpenConnection open, std::vector<std::string> secrets)
    : relay_(std::move(open.relay)),
      handle_(std::move(open.handle)),
      secrets_(std::move(secrets)) {}

Failure MysqlConnection::failure(std::string_view stage, const char* why,
                                 std::string message) const {
  return test_failure(std::string(stage), why, scrub_secrets(std::move(message), secrets_));
}

Failure MysqlConnection::server_failure(std::string_view stage) {
  const unsigned code = mysql_errno(handle_.get());
  const std::string message = mysql_error(handle_.get());
  if (connection_lost(code)) broken_ = true;
  return failure(stage, failure_reason(code, stage, message), message);
}

Failure MysqlConnection::drive_failure(std::string_view stage, bool timed_out,
                                       const std::string& error) {
  broken_ = true;
  handle_.abandon();
  if (timed_out) {
    return failure(stage, reason::timeout, "the query did not finish before the deadline");
  }
  return failure(stage, reason::protocol_error, error);
}

asio::awaitable<Result<ResultPtr>> MysqlConnection::exec(std::string_view sql, const Params& params,
                                                         Deadline deadline,
                                                         std::string_view stage) {
  if (broken_) {
    co_return failure(stage, reason::protocol_error,
                      "the connection was given up after an earlier failure");
  }
  if (busy_) co_return failure(stage, reason::protocol_error, "the session is already busy");
  BusyScope busy(busy_);
  MYSQL* mysql = handle_.get();

  auto text = bind_params(sql, params, [mysql](std::string_view value) {
    std::string out(value.size() * 2 + 1, '\0');
    out.resize(mysql_real_escape_string(mysql, out.data(), value.data(),
                                        static_cast<unsigned long>(value.size())));
    return out;
  });
  if (!text) co_return failure(stage, reason::protocol_error, text.error().message);

  int error = 0;
  int status =
      mysql_real_query_start(&error, mysql, text->data(), static_cast<unsigned long>(text->size()));
  auto sent = co_await drive(
      mysql, status, [&](int events) { return mysql_real_query_cont(&error, mysql, events); },
      deadline);
  if (sent.end != DriveEnd::done) {
    co_return drive_failure(stage, sent.end == DriveEnd::timed_out, sent.error.message());
  }
  if (error != 0) co_return server_failure(stage);

  MYSQL_RES* stored = nullptr;
  status = mysql_store_result_start(&stored, mysql);
  auto read = co_await drive(
      mysql, status, [&](int events) { return mysql_store_result_cont(&stored, mysql, events); },
      deadline);
  if (read.end != DriveEnd::done) {
    co_return drive_failure(stage, read.end == DriveEnd::timed_out, read.error.message());
  }
  ResultPtr result(stored);
  if (!result && mysql_field_count(mysql) != 0) co_return server_failure(stage);
  co_return std::move(result);
}

}  // namespace dsb::drivers::mysql
