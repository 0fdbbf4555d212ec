#include "drivers/postgres/pg_connection.hpp"

#include "drivers/driver.hpp"
#include "drivers/postgres/pg_errors.hpp"
#include "drivers/secret_scrub.hpp"
#include "drivers/socket_wait.hpp"

namespace dsb::drivers::postgres {

namespace asio = boost::asio;

namespace {

// Marks the connection busy for the duration of one statement.
struct BusyScope {
  bool& busy;
  explicit BusyScope(bool& flag) : busy(flag) { busy = true; }
  ~BusyScope() { busy = false; }
};

bool is_error(ExecStatusType status) {
  return status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE ||
         status == PGRES_NONFATAL_ERROR;
}

bool is_copy(ExecStatusType status) {
  return status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH;
}

std::string field(const PGresult* result, int code) {
  const char* value = PQresultErrorField(result, code);
  return value != nullptr ? value : "";
}

}  // namespace

PgConnection::PgConnection(PgConnPtr conn, std::vector<std::string> secrets)
    : conn_(std::move(conn)), secrets_(std::move(secrets)) {}

Failure PgConnection::failure(std::string_view stage, const char* why, std::string message) const {
  return test_failure(std::string(stage), why, scrub_secrets(std::move(message), secrets_));
}

Failure PgConnection::connection_failure(std::string_view stage) {
  broken_ = true;
  return failure(stage, reason::protocol_error, PQerrorMessage(conn_.get()));
}

asio::awaitable<Result<void>> PgConnection::flush(Deadline deadline, std::string_view stage) {
  for (;;) {
    const int pending = PQflush(conn_.get());
    if (pending == 0) co_return Result<void>{};
    if (pending < 0) co_return connection_failure(stage);
    const WaitOutcome waited =
        co_await wait_socket(PQsocket(conn_.get()), Interest::read_or_write, deadline);
    if (waited.status == WaitStatus::timed_out) {
      broken_ = true;
      co_return failure(stage, reason::timeout, "the server did not accept the query in time");
    }
    if (waited.status == WaitStatus::failed) {
      broken_ = true;
      co_return failure(stage, reason::protocol_error, waited.error.message());
    }
    // libpq wants input consumed while it waits to send, or the server may
    // block on its own output.
    if (waited.readable && PQconsumeInput(conn_.get()) == 0) co_return connection_failure(stage);
  }
}

asio::awaitable<Result<PgResultPtr>> PgConnection::read_results(Deadline deadline,
                                                                std::string_view stage) {
  PgResultPtr last;
  PgResultPtr first_error;
  for (;;) {
    if (PQconsumeInput(conn_.get()) == 0) co_return connection_failure(stage);
    while (PQisBusy(conn_.get()) == 0) {
      PgResultPtr result(PQgetResult(conn_.get()));
      if (!result) {
        if (first_error) {
          const PGresult* error = first_error.get();
          std::string message = field(error, PG_DIAG_MESSAGE_PRIMARY);
          if (message.empty()) message = PQresultErrorMessage(error);
          co_return failure(stage, sqlstate_reason(field(error, PG_DIAG_SQLSTATE)),
                            std::move(message));
        }
        co_return std::move(last);
      }
      const ExecStatusType status = PQresultStatus(result.get());
      if (is_copy(status)) {
        broken_ = true;  // COPY would need its own protocol; give the connection up
        co_return failure(stage, reason::protocol_error, "COPY is not supported");
      }
      if (is_error(status)) {
        if (!first_error) first_error = std::move(result);
      } else {
        last = std::move(result);
      }
    }
    const WaitOutcome waited =
        co_await wait_socket(PQsocket(conn_.get()), Interest::read, deadline);
    if (waited.status == WaitStatus::timed_out) {
      broken_ = true;
      co_return failure(stage, reason::timeout, "the query did not finish before the deadline");
    }
    if (waited.status == WaitStatus::failed) {
      broken_ = true;
      co_return failure(stage, reason::protocol_error, waited.error.message());
    }
  }
}

asio::awaitable<Result<PgResultPtr>> PgConnection::exec(std::string_view sql, const Params& params,
                                                        Deadline deadline, std::string_view stage) {
  if (broken_) {
    co_return failure(stage, reason::protocol_error,
                      "the connection was given up after an earlier failure");
  }
  if (busy_) co_return failure(stage, reason::protocol_error, "the session is already busy");
  BusyScope busy(busy_);

  std::vector<const char*> values;
  values.reserve(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    const auto& param = params[i];
    if (param && param->find('\0') != std::string::npos) {
      co_return failure(stage, reason::protocol_error,
                        "parameter $" + std::to_string(i + 1) + " contains a NUL byte");
    }
    values.push_back(param ? param->c_str() : nullptr);
  }
  const std::string text(sql);
  if (PQsendQueryParams(conn_.get(), text.c_str(), static_cast<int>(values.size()), nullptr,
                        values.data(), nullptr, nullptr, 0) == 0) {
    co_return connection_failure(stage);
  }
  if (auto sent = co_await flush(deadline, stage); !sent) co_return sent.error();
  co_return co_await read_results(deadline, stage);
}

asio::awaitable<Result<void>> PgConnection::run(std::string_view sql, Deadline deadline,
                                                std::string_view stage) {
  auto result = co_await exec(sql, {}, deadline, stage);
  if (!result) co_return result.error();
  co_return Result<void>{};
}

}  // namespace dsb::drivers::postgres
