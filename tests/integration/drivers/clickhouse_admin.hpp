// Blocking admin access to the test ClickHouse (HTTP, user default) to create
// and drop fixtures. Blocking calls are fine in a test process.
#pragma once

#include <string>

namespace dsb::test {

// Runs `sql` as user default (LowCardinality allowed); fails the test on a
// non-200 answer and returns the body.
std::string ch_admin(const std::string& sql);

// A database created for one test and dropped after it.
class ScratchChDatabase {
 public:
  explicit ScratchChDatabase(const std::string& prefix);
  ~ScratchChDatabase();
  ScratchChDatabase(const ScratchChDatabase&) = delete;
  ScratchChDatabase& operator=(const ScratchChDatabase&) = delete;
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

}  // namespace dsb::test
