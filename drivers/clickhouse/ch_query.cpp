#include "drivers/clickhouse/ch_query.hpp"

#include "drivers/clickhouse/ch_errors.hpp"
#include "drivers/clickhouse/ch_json.hpp"

namespace dsb::drivers::clickhouse {

boost::asio::awaitable<Result<Rows>> run_query(ChHttp& http, std::string_view sql,
                                               Deadline deadline, std::string_view stage) {
  auto response = co_await http.post(sql, deadline, stage);
  if (!response) co_return response.error();
  if (response->status != 200) {
    const ChException e = parse_exception(response->body);
    co_return test_failure(std::string(stage), error_reason(response->status, e.code),
                           error_message(response->status, e, http.secrets()));
  }
  std::string error;
  auto rows = parse_json_compact(response->body, error);
  if (!rows) co_return test_failure(std::string(stage), reason::protocol_error, std::move(error));
  co_return std::move(*rows);
}

}  // namespace dsb::drivers::clickhouse
