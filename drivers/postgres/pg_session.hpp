// A DriverSession over one non-blocking libpq connection.
#pragma once

#include "drivers/driver.hpp"
#include "drivers/postgres/pg_connection.hpp"
#include "drivers/postgres/postgres_driver.hpp"

namespace dsb::drivers::postgres {

class PgSession final : public DriverSession {
 public:
  PgSession(PgConnection conn, Flavor flavor);

  asio::awaitable<Result<void>> probe(Deadline deadline) override;
  asio::awaitable<Result<SchemaSnapshot>> fetch_schema(const SchemaFilter& filter,
                                                       StageReporter& reporter,
                                                       Deadline deadline) override;
  asio::awaitable<Result<std::vector<std::string>>> list_databases(Deadline deadline) override;
  asio::awaitable<Result<Rows>> query(std::string sql,
                                      std::vector<std::optional<std::string>> params,
                                      Deadline deadline) override;

 private:
  PgConnection conn_;
  Flavor flavor_;
};

}  // namespace dsb::drivers::postgres
