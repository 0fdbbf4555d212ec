// The fixture shared by the ClickHouse driver tests (the test server speaks
// HTTP; ClickHouseTlsProxy puts HTTPS in front of it).
#pragma once

#include "drivers/clickhouse/clickhouse_driver.hpp"
#include "tests/integration/drivers/driver_test_util.hpp"
#include "tests/support/test_env.hpp"

#include <gtest/gtest.h>

namespace dsb::test {

class ClickHouseDriverTest : public ::testing::Test {
 protected:
  using Session = std::unique_ptr<drivers::DriverSession>;

  drivers::ConnectionSpec spec(const std::string& mode = "disable") const {
    drivers::ConnectionSpec s;
    s.type = "clickhouse";
    s.host = "localhost";
    s.port = port_;
    s.database = "default";
    s.username = "testuser";
    s.password = "testpass";
    s.tls = mode == "disable" ? drivers::TlsSettings{} : test_ca_tls(mode);
    return s;
  }

  Result<Session> connect(const drivers::ConnectTarget& target, drivers::StageReporter& reporter) {
    return run_task(driver_->connect(target, reporter));
  }

  Result<Session> connect(const drivers::ConnectionSpec& s, std::uint16_t port = 0) {
    drivers::StageReporter reporter;
    return connect(local_target(s, port == 0 ? port_ : port), reporter);
  }

  Session open(const drivers::ConnectionSpec& s, std::uint16_t port = 0) {
    auto session = connect(s, port);
    if (!session) {
      ADD_FAILURE() << session.error().message;
      return nullptr;
    }
    return std::move(*session);
  }

  static drivers::Deadline soon() { return drivers::Clock::now() + 20s; }

  static Result<drivers::Rows> query(drivers::DriverSession& session, const std::string& sql,
                                     std::vector<std::optional<std::string>> params = {}) {
    return run_task(session.query(sql, std::move(params), soon()));
  }

  // The single value of `sql`.
  static std::optional<std::string> scalar(drivers::DriverSession& session, const std::string& sql,
                                           std::vector<std::optional<std::string>> params = {}) {
    auto rows = query(session, sql, std::move(params));
    if (!rows || rows->rows.size() != 1 || rows->rows[0].size() != 1) {
      ADD_FAILURE() << sql << ": " << (rows ? "not one value" : rows.error().message);
      return std::nullopt;
    }
    return rows->rows[0][0];
  }

  std::uint16_t port_ = require_port("DSB_TEST_CH_PORT");
  std::unique_ptr<drivers::Driver> driver_ = drivers::make_clickhouse_driver();
};

}  // namespace dsb::test
