// Blocking root access to the test MariaDB (unix socket, unix_socket auth,
// so the tests run as OS root) to create and drop fixtures.
#pragma once

#include <mysql.h>

#include <string>

namespace dsb::test {

class MysqlAdmin {
 public:
  MysqlAdmin();
  ~MysqlAdmin();
  MysqlAdmin(const MysqlAdmin&) = delete;
  MysqlAdmin& operator=(const MysqlAdmin&) = delete;

  // Runs `sql` (one or more statements); fails the test on error.
  void exec(const std::string& sql);

 private:
  MYSQL* mysql_ = nullptr;
};

// A user with a password, dropped at the end of the test.
class ScratchMysqlUser {
 public:
  // Creates 'prefix<unique>'@'%' identified by `password`, then runs
  // `grants` (with {user} replaced by the quoted account).
  ScratchMysqlUser(const std::string& prefix, const std::string& password,
                   const std::string& grants = "");
  ~ScratchMysqlUser();
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

// A database dropped at the end of the test.
class ScratchMysqlDatabase {
 public:
  explicit ScratchMysqlDatabase(const std::string& prefix);
  ~ScratchMysqlDatabase();
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

}  // namespace dsb::test
