// A DriverSession over one ClickHouse HTTP(S) keep-alive connection.
#pragma once

#include "drivers/clickhouse/ch_http.hpp"
#include "drivers/driver.hpp"

#include <memory>
#include <string>

namespace dsb::drivers::clickhouse {

class ChSession final : public DriverSession {
 public:
  ChSession(std::unique_ptr<ChHttp> http, std::string database);

  asio::awaitable<Result<void>> probe(Deadline deadline) override;
  asio::awaitable<Result<SchemaSnapshot>> fetch_schema(const SchemaFilter& filter,
                                                       StageReporter& reporter,
                                                       Deadline deadline) override;
  // SELECT name FROM system.databases.
  asio::awaitable<Result<std::vector<std::string>>> list_databases(Deadline deadline) override;
  // ? placeholders bound as escaped string literals (see ch_sql.hpp).
  asio::awaitable<Result<Rows>> query(std::string sql,
                                      std::vector<std::optional<std::string>> params,
                                      Deadline deadline) override;

 private:
  std::unique_ptr<ChHttp> http_;
  std::string database_;
};

}  // namespace dsb::drivers::clickhouse
