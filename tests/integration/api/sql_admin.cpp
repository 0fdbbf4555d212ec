#include "tests/integration/api/sql_admin.hpp"

#include "tests/support/test_env.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <mysql.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <random>

namespace dsb::test {

std::string unique_name(const std::string& prefix) {
  static std::atomic<int> counter{0};
  std::random_device rd;
  const auto salt = std::uniform_int_distribution<unsigned>(0, 0xFFFFF)(rd);
  return prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(++counter) + "_" +
         std::to_string(salt);
}

std::string sql_literal(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

PgSuperuser::PgSuperuser(const std::string& database) {
  const std::string conninfo = "host=" + require_env("DSB_TEST_PG_SOCKET_DIR") +
                               " port=" + require_env("DSB_TEST_PG_PORT") +
                               " user=postgres connect_timeout=10 dbname=" + database;
  conn_ = PQconnectdb(conninfo.c_str());
  EXPECT_EQ(PQstatus(conn_), CONNECTION_OK) << PQerrorMessage(conn_);
  PQclear(PQexec(conn_, "SET client_min_messages = warning"));
}

PgSuperuser::~PgSuperuser() {
  PQfinish(conn_);
}

void PgSuperuser::exec(const std::string& sql) {
  PGresult* result = PQexec(conn_, sql.c_str());
  const ExecStatusType status = PQresultStatus(result);
  EXPECT_TRUE(status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) << sql.substr(0, 500) << "\n"
                                                                       << PQerrorMessage(conn_);
  PQclear(result);
}

PgScratchDatabase::PgScratchDatabase(const std::string& prefix) : name_(unique_name(prefix)) {
  PgSuperuser().exec("CREATE DATABASE " + name_ + " OWNER testuser");
}

PgScratchDatabase::~PgScratchDatabase() {
  PgSuperuser().exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
}

PgScratchRole::PgScratchRole(const std::string& prefix, const std::string& password)
    : name_(unique_name(prefix)) {
  PgSuperuser().exec("CREATE ROLE " + name_ + " LOGIN PASSWORD " + sql_literal(password));
}

PgScratchRole::~PgScratchRole() {
  PgSuperuser().exec("DROP ROLE IF EXISTS " + name_);
}

void PgScratchRole::set_password(const std::string& password) {
  PgSuperuser().exec("ALTER ROLE " + name_ + " PASSWORD " + sql_literal(password));
}

MariaRoot::MariaRoot() {
  conn_ = mysql_init(nullptr);
  unsigned timeout = 10;
  mysql_optionsv(conn_, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  const std::string socket = require_env("DSB_TEST_MYSQL_SOCKET");
  EXPECT_NE(mysql_real_connect(conn_, nullptr, "root", nullptr, nullptr, 0, socket.c_str(),
                               CLIENT_MULTI_STATEMENTS),
            nullptr)
      << mysql_error(conn_);
}

MariaRoot::~MariaRoot() {
  mysql_close(conn_);
}

void MariaRoot::exec(const std::string& sql) {
  EXPECT_EQ(mysql_query(conn_, sql.c_str()), 0) << sql << "\n" << mysql_error(conn_);
  // Drain every result of a multi-statement query.
  do {
    if (MYSQL_RES* res = mysql_store_result(conn_)) mysql_free_result(res);
  } while (mysql_next_result(conn_) == 0);
}

MariaScratchDatabase::MariaScratchDatabase(const std::string& prefix) : name_(unique_name(prefix)) {
  MariaRoot().exec("CREATE DATABASE " + name_ + "; GRANT ALL ON " + name_ + ".* TO 'testuser'@'%'");
}

MariaScratchDatabase::~MariaScratchDatabase() {
  MariaRoot().exec("DROP DATABASE IF EXISTS " + name_);
}

}  // namespace dsb::test
