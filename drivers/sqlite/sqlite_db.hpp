// One read-only SQLite database handle. Every call blocks (file I/O): run it
// on the blocking pool. Calls honour a deadline (a progress handler
// interrupts a statement that runs past it) and are serialized by a mutex.
#pragma once

#include "core/failure.hpp"
#include "drivers/connection_spec.hpp"
#include "drivers/driver.hpp"

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;

namespace dsb::drivers::sqlite {

using Params = std::vector<std::optional<std::string>>;

class SqliteDb {
 public:
  // Opens `real_path` (an existing file, already checked to lie under the
  // file root) read-only: never created, never written. `shown_path` names it
  // in messages (the relative path, not the server's directory layout).
  // Reads the schema once, so a file that is not a database fails here with
  // protocol_error.
  static Result<std::unique_ptr<SqliteDb>> open(const std::string& real_path,
                                                std::string shown_path, Deadline deadline,
                                                std::string_view stage);

  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  ~SqliteDb();

  // Runs one statement with `params` bound to its ?/?NNN/:name placeholders
  // in order (nullopt = NULL) and returns its rows as text (blobs as their
  // bytes). Fails with timeout at the deadline, protocol_error for SQL
  // errors, permission_denied for writes.
  Result<Rows> query(std::string_view sql, const Params& params, Deadline deadline,
                     std::string_view stage);

 private:
  SqliteDb(sqlite3* db, std::string shown_path);
  Failure failure(std::string_view stage, int code) const;
  static int on_progress(void* self);

  sqlite3* db_;
  std::string shown_path_;
  Deadline deadline_{};
  std::mutex mutex_;
};

}  // namespace dsb::drivers::sqlite
