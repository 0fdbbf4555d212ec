// The fixture shared by the PostgreSQL driver tests.
#pragma once

#include "drivers/postgres/postgres_driver.hpp"
#include "tests/integration/drivers/driver_fixture.hpp"

namespace dsb::test {

class PostgresDriverTest : public DriverFixture {
 protected:
  PostgresDriverTest()
      : DriverFixture("postgres", "testdb", "DSB_TEST_PG_PORT", drivers::make_postgres_driver()) {}
};

}  // namespace dsb::test
