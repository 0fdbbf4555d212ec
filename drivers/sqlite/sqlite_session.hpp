// A DriverSession over one read-only SQLite database; every call runs on the
// blocking pool.
#pragma once

#include "drivers/driver.hpp"
#include "drivers/sqlite/sqlite_db.hpp"

#include <memory>

namespace dsb::drivers::sqlite {

class SqliteSession final : public DriverSession {
 public:
  explicit SqliteSession(std::unique_ptr<SqliteDb> db);
  // Closes the database on the blocking pool (closing touches the file).
  ~SqliteSession() override;

  asio::awaitable<Result<void>> probe(Deadline deadline) override;
  // Tables and views under schema "main" (see read_catalog).
  asio::awaitable<Result<SchemaSnapshot>> fetch_schema(const SchemaFilter& filter,
                                                       StageReporter& reporter,
                                                       Deadline deadline) override;
  // The attached databases: "main".
  asio::awaitable<Result<std::vector<std::string>>> list_databases(Deadline deadline) override;
  // One statement with ?-parameters bound by SQLite; read-only.
  asio::awaitable<Result<Rows>> query(std::string sql,
                                      std::vector<std::optional<std::string>> params,
                                      Deadline deadline) override;

 private:
  std::shared_ptr<SqliteDb> db_;
};

}  // namespace dsb::drivers::sqlite
