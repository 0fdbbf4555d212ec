#include "tests/integration/drivers/clickhouse_admin.hpp"

#include "tests/integration/drivers/driver_test_util.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_env.hpp"

#include <gtest/gtest.h>

namespace dsb::test {

std::string ch_admin(const std::string& sql) {
  HttpClient client("127.0.0.1", require_port("DSB_TEST_CH_PORT"));
  const HttpResult r = client.request("POST", "/?allow_experimental_low_cardinality_type=1", sql);
  EXPECT_EQ(r.status, 200) << sql << "\n" << r.body;
  return r.body;
}

ScratchChDatabase::ScratchChDatabase(const std::string& prefix) : name_(unique_name(prefix)) {
  ch_admin("CREATE DATABASE " + name_);
}

ScratchChDatabase::~ScratchChDatabase() {
  ch_admin("DROP DATABASE IF EXISTS " + name_);
}

}  // namespace dsb::test
