#include "tests/integration/drivers/mysql_admin.hpp"

#include "tests/integration/drivers/driver_test_util.hpp"
#include "tests/support/test_env.hpp"

#include <gtest/gtest.h>

namespace dsb::test {

MysqlAdmin::MysqlAdmin() : mysql_(mysql_init(nullptr)) {
  const std::string socket = require_env("DSB_TEST_MYSQL_SOCKET");
  if (mysql_real_connect(mysql_, nullptr, "root", nullptr, nullptr, 0, socket.c_str(),
                         CLIENT_MULTI_STATEMENTS) == nullptr) {
    ADD_FAILURE() << "cannot connect to MariaDB as root over " << socket
                  << " (the tests must run as OS root): " << mysql_error(mysql_);
  }
}

MysqlAdmin::~MysqlAdmin() {
  mysql_close(mysql_);
}

void MysqlAdmin::exec(const std::string& sql) {
  if (mysql_real_query(mysql_, sql.data(), static_cast<unsigned long>(sql.size())) != 0) {
    ADD_FAILURE() << sql.substr(0, 300) << "\n" << mysql_error(mysql_);
    return;
  }
  int more = 0;
  do {
    if (MYSQL_RES* result = mysql_store_result(mysql_)) mysql_free_result(result);
    if (mysql_errno(mysql_) != 0) {
      ADD_FAILURE() << sql.substr(0, 300) << "\n" << mysql_error(mysql_);
      return;
    }
    more = mysql_next_result(mysql_);
    if (more > 0) {
      ADD_FAILURE() << sql.substr(0, 300) << "\n" << mysql_error(mysql_);
      return;
    }
  } while (more == 0);
}

ScratchMysqlUser::ScratchMysqlUser(const std::string& prefix, const std::string& password,
                                   const std::string& grants)
    : name_(unique_name(prefix)) {
  MysqlAdmin admin;
  admin.exec("CREATE USER '" + name_ + "'@'%' IDENTIFIED BY '" + password + "'");
  if (!grants.empty()) {
    std::string sql = grants;
    const std::string account = "'" + name_ + "'@'%'";
    for (auto at = sql.find("{user}"); at != std::string::npos; at = sql.find("{user}")) {
      sql.replace(at, 6, account);
    }
    admin.exec(sql);
  }
}

ScratchMysqlUser::~ScratchMysqlUser() {
  MysqlAdmin().exec("DROP USER IF EXISTS '" + name_ + "'@'%'");
}

ScratchMysqlDatabase::ScratchMysqlDatabase(const std::string& prefix) : name_(unique_name(prefix)) {
  MysqlAdmin().exec("CREATE DATABASE `" + name_ + "`");
}

ScratchMysqlDatabase::~ScratchMysqlDatabase() {
  MysqlAdmin().exec("DROP DATABASE IF EXISTS `" + name_ + "`");
}

}  // namespace dsb::test
