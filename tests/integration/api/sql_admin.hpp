// Superuser access to the test servers for fixtures: PostgreSQL over its unix
// socket (trust) and MariaDB over its unix socket as root (unix_socket auth).
// Blocking calls are fine in a test process; the broker is what must not block.
#pragma once

#include <string>

struct pg_conn;
struct st_mysql;

namespace dsb::test {

// prefix + "_" + something unique across processes, [a-z0-9_] only.
std::string unique_name(const std::string& prefix);

class PgSuperuser {
 public:
  explicit PgSuperuser(const std::string& database = "postgres");
  ~PgSuperuser();
  PgSuperuser(const PgSuperuser&) = delete;
  PgSuperuser& operator=(const PgSuperuser&) = delete;

  // Runs `sql` (one or more statements, one transaction); fails the test on error.
  void exec(const std::string& sql);

 private:
  pg_conn* conn_ = nullptr;
};

// A database owned by testuser, dropped (WITH FORCE) by the destructor.
class PgScratchDatabase {
 public:
  explicit PgScratchDatabase(const std::string& prefix);
  ~PgScratchDatabase();
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

// A login role with a password, allowed into testdb; dropped by the destructor.
class PgScratchRole {
 public:
  PgScratchRole(const std::string& prefix, const std::string& password);
  ~PgScratchRole();
  const std::string& name() const { return name_; }
  void set_password(const std::string& password);

 private:
  std::string name_;
};

class MariaRoot {
 public:
  MariaRoot();
  ~MariaRoot();
  MariaRoot(const MariaRoot&) = delete;
  MariaRoot& operator=(const MariaRoot&) = delete;

  void exec(const std::string& sql);

 private:
  st_mysql* conn_ = nullptr;
};

// A MariaDB database testuser may use, dropped by the destructor.
class MariaScratchDatabase {
 public:
  explicit MariaScratchDatabase(const std::string& prefix);
  ~MariaScratchDatabase();
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

// 'text' as an SQL string literal (quotes doubled).
std::string sql_literal(const std::string& text);

}  // namespace dsb::test
