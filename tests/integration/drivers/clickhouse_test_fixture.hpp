// The fixture shared by the ClickHouse driver tests (the test server speaks
// HTTP; ClickHouseTlsProxy puts HTTPS in front of it).
#pragma once

#include "drivers/clickhouse/clickhouse_driver.hpp"
#include "tests/integration/drivers/driver_fixture.hpp"

namespace dsb::test {

class ClickHouseDriverTest : public DriverFixture {
 protected:
  ClickHouseDriverTest()
      : DriverFixture("clickhouse", "default", "DSB_TEST_CH_PORT",
                      drivers::make_clickhouse_driver()) {}
};

}  // namespace dsb::test
