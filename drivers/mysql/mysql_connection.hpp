// One open Connector/C connection in non-blocking mode: runs statements and
// stores their results by waiting on the socket, never blocking the thread.
#pragma once

#include "core/failure.hpp"
#include "drivers/connection_spec.hpp"
#include "drivers/mysql/mysql_connect.hpp"
#include "drivers/mysql/mysql_handle.hpp"
#include "drivers/mysql/mysql_params.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dsb::drivers::mysql {

struct ResultFreer {
  void operator()(MYSQL_RES* result) const { mysql_free_result(result); }
};
// A stored result (all rows in memory: reading it does no I/O); null for a
// statement without a result set.
using ResultPtr = std::unique_ptr<MYSQL_RES, ResultFreer>;

class MysqlConnection {
 public:
  // `secrets` are scrubbed from every message this connection reports.
  MysqlConnection(OpenConnection open, std::vector<std::string> secrets);

  // Binds `params` into `sql` (see mysql_params.hpp), runs it and stores its
  // result. Fails with the reason of the server's error, or `timeout` at the
  // deadline (after which the connection is given up and every later call
  // fails at once); `stage` names the operation in the failure.
  boost::asio::awaitable<Result<ResultPtr>> exec(std::string_view sql, const Params& params,
                                                 Deadline deadline, std::string_view stage);

  MYSQL* get() const { return handle_.get(); }

 private:
  Failure failure(std::string_view stage, const char* reason, std::string message) const;
  Failure server_failure(std::string_view stage);
  Failure drive_failure(std::string_view stage, bool timed_out, const std::string& error);

  // Declared first so it is destroyed last: the handle's COM_QUIT still goes
  // through the relay, which then closes itself.
  std::shared_ptr<TlsRelay> relay_;
  MysqlHandle handle_;
  std::vector<std::string> secrets_;
  bool broken_ = false;
  bool busy_ = false;
};

}  // namespace dsb::drivers::mysql
