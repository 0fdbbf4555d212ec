// A DriverSession over a csv file or folder: probe and schema read the files
// on the blocking pool; SQL queries are not supported.
#pragma once

#include "drivers/csv/csv_sample.hpp"
#include "drivers/csv/csv_source.hpp"
#include "drivers/driver.hpp"

namespace dsb::drivers::csv {

class CsvSession final : public DriverSession {
 public:
  CsvSession(std::string root, CsvOptions options, CsvSource source);

  // Opens the path again and reads the first record of the first file.
  asio::awaitable<Result<void>> probe(Deadline deadline) override;
  // One table per file (schema "main"), from a bounded sample of each.
  asio::awaitable<Result<SchemaSnapshot>> fetch_schema(const SchemaFilter& filter,
                                                       StageReporter& reporter,
                                                       Deadline deadline) override;
  // {"main"}.
  asio::awaitable<Result<std::vector<std::string>>> list_databases(Deadline deadline) override;
  // Always fails: 501 NOT_IMPLEMENTED, reason protocol_error.
  asio::awaitable<Result<Rows>> query(std::string sql,
                                      std::vector<std::optional<std::string>> params,
                                      Deadline deadline) override;

 private:
  // The files now (a folder's content may have changed since connect).
  asio::awaitable<Result<CsvSource>> reopen(std::string_view stage);

  std::string root_;
  CsvOptions options_;
  CsvSource source_;
};

}  // namespace dsb::drivers::csv
