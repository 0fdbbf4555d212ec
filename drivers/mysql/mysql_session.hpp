// A DriverSession over one non-blocking Connector/C connection.
#pragma once

#include "drivers/driver.hpp"
#include "drivers/mysql/mysql_connection.hpp"

namespace dsb::drivers::mysql {

class MysqlSession final : public DriverSession {
 public:
  // `database` is the connection's database: the default schema to read.
  MysqlSession(MysqlConnection conn, std::string database);

  asio::awaitable<Result<void>> probe(Deadline deadline) override;
  asio::awaitable<Result<SchemaSnapshot>> fetch_schema(const SchemaFilter& filter,
                                                       StageReporter& reporter,
                                                       Deadline deadline) override;
  asio::awaitable<Result<std::vector<std::string>>> list_databases(Deadline deadline) override;
  asio::awaitable<Result<Rows>> query(std::string sql,
                                      std::vector<std::optional<std::string>> params,
                                      Deadline deadline) override;

 private:
  MysqlConnection conn_;
  std::string database_;
};

}  // namespace dsb::drivers::mysql
