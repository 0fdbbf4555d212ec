// One open libpq connection in non-blocking mode: runs statements with text
// parameters by waiting on the connection's socket, never blocking the thread.
#pragma once

#include "core/failure.hpp"
#include "drivers/connection_spec.hpp"
#include "drivers/postgres/pg_handles.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dsb::drivers::postgres {

using Params = std::vector<std::optional<std::string>>;

class PgConnection {
 public:
  // `secrets` are scrubbed from every message this connection reports.
  PgConnection(PgConnPtr conn, std::vector<std::string> secrets);

  // Sends `sql` with `params` ($1.., text format, nullopt = NULL), reads every
  // result and returns the last one (rows or command status). Fails with the
  // first error result's reason (by SQLSTATE) and message, or with `timeout`
  // at the deadline; `stage` names the operation in the failure. After a
  // timeout or a lost connection every later call fails at once.
  boost::asio::awaitable<Result<PgResultPtr>> exec(std::string_view sql, const Params& params,
                                                   Deadline deadline, std::string_view stage);

  // Runs `sql` and discards its result.
  boost::asio::awaitable<Result<void>> run(std::string_view sql, Deadline deadline,
                                           std::string_view stage);

  bool broken() const { return broken_; }

 private:
  boost::asio::awaitable<Result<void>> flush(Deadline deadline, std::string_view stage);
  boost::asio::awaitable<Result<PgResultPtr>> read_results(Deadline deadline,
                                                           std::string_view stage);
  Failure connection_failure(std::string_view stage);
  Failure failure(std::string_view stage, const char* reason, std::string message) const;

  PgConnPtr conn_;
  std::vector<std::string> secrets_;
  bool broken_ = false;
  bool busy_ = false;
};

}  // namespace dsb::drivers::postgres
