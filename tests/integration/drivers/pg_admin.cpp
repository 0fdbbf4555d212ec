#include "tests/integration/drivers/pg_admin.hpp"

#include "tests/integration/drivers/driver_test_util.hpp"
#include "tests/support/test_env.hpp"

#include <gtest/gtest.h>

namespace dsb::test {

PgAdmin::PgAdmin(const std::string& database) {
  const std::string conninfo = "host=" + require_env("DSB_TEST_PG_SOCKET_DIR") +
                               " port=" + require_env("DSB_TEST_PG_PORT") +
                               " user=postgres dbname=" + database;
  conn_ = PQconnectdb(conninfo.c_str());
  EXPECT_EQ(PQstatus(conn_), CONNECTION_OK) << PQerrorMessage(conn_);
  PQclear(PQexec(conn_, "SET client_min_messages = warning"));
}

PgAdmin::~PgAdmin() {
  PQfinish(conn_);
}

void PgAdmin::exec(const std::string& sql) {
  PGresult* result = PQexec(conn_, sql.c_str());
  const ExecStatusType status = PQresultStatus(result);
  EXPECT_TRUE(status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) << sql << "\n"
                                                                       << PQerrorMessage(conn_);
  PQclear(result);
}

std::string PgAdmin::scalar(const std::string& sql) {
  PGresult* result = PQexec(conn_, sql.c_str());
  std::string value;
  if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) > 0) {
    value = PQgetvalue(result, 0, 0);
  } else {
    ADD_FAILURE() << sql << "\n" << PQerrorMessage(conn_);
  }
  PQclear(result);
  return value;
}

ScratchPgDatabase::ScratchPgDatabase(const std::string& prefix) : name_(unique_name(prefix)) {
  PgAdmin().exec("CREATE DATABASE " + name_ + " OWNER testuser");
}

ScratchPgDatabase::~ScratchPgDatabase() {
  PgAdmin().exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
}

}  // namespace dsb::test
