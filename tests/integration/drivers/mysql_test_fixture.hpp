// The fixture shared by the MySQL driver tests.
#pragma once

#include "drivers/mysql/mysql_driver.hpp"
#include "tests/integration/drivers/driver_fixture.hpp"

namespace dsb::test {

class MysqlDriverTest : public DriverFixture {
 protected:
  MysqlDriverTest()
      : DriverFixture("mysql", "testdb", "DSB_TEST_MYSQL_PORT", drivers::make_mysql_driver()) {}

  // The TLS cipher of the session ("" when plaintext).
  static std::string cipher(drivers::DriverSession& session) {
    return scalar(session, "SHOW SESSION STATUS LIKE 'Ssl_cipher'").value_or("?");
  }
};

}  // namespace dsb::test
