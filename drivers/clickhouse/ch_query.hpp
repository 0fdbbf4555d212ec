// One ClickHouse query as rows: POST, error status to reason, JSONCompact to
// Rows.
#pragma once

#include "drivers/clickhouse/ch_http.hpp"
#include "drivers/driver.hpp"

#include <boost/asio/awaitable.hpp>

#include <string_view>

namespace dsb::drivers::clickhouse {

// Runs `sql` on `http`. A non-200 answer fails with the reason of its
// exception code (ch_errors.hpp) and its sanitized text; an answer that is
// not JSONCompact fails with protocol_error. `stage` names the operation.
boost::asio::awaitable<Result<Rows>> run_query(ChHttp& http, std::string_view sql,
                                               Deadline deadline, std::string_view stage);

}  // namespace dsb::drivers::clickhouse
