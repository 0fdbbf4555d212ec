// Blocking superuser access to the test PostgreSQL (unix socket, trust) to
// create and drop fixtures. Blocking calls are fine in a test process.
#pragma once

#include <libpq-fe.h>

#include <string>

namespace dsb::test {

class PgAdmin {
 public:
  // Connects to `database` as postgres over DSB_TEST_PG_SOCKET_DIR.
  explicit PgAdmin(const std::string& database = "postgres");
  ~PgAdmin();
  PgAdmin(const PgAdmin&) = delete;
  PgAdmin& operator=(const PgAdmin&) = delete;

  // Runs `sql` (one or more statements); fails the test on error.
  void exec(const std::string& sql);
  // The first column of the first row of `sql`.
  std::string scalar(const std::string& sql);

 private:
  PGconn* conn_ = nullptr;
};

// A database created for one test (owned by testuser) and dropped after it.
class ScratchPgDatabase {
 public:
  explicit ScratchPgDatabase(const std::string& prefix);
  ~ScratchPgDatabase();
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

}  // namespace dsb::test
