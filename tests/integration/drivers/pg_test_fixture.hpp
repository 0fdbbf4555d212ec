// The fixture shared by the PostgreSQL driver tests.
#pragma once

#include "drivers/postgres/postgres_driver.hpp"
#include "tests/integration/drivers/driver_test_util.hpp"
#include "tests/support/test_env.hpp"

#include <gtest/gtest.h>

namespace dsb::test {

class PostgresDriverTest : public ::testing::Test {
 protected:
  using Session = std::unique_ptr<drivers::DriverSession>;

  drivers::ConnectionSpec spec(const std::string& mode = "disable") const {
    drivers::ConnectionSpec s;
    s.type = "postgres";
    s.host = "localhost";
    s.port = port_;
    s.database = "testdb";
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

  // Connects and fails the test unless it works.
  Session open(const drivers::ConnectionSpec& s) {
    auto session = connect(s);
    if (!session) {
      ADD_FAILURE() << session.error().message;
      return nullptr;
    }
    return std::move(*session);
  }

  static drivers::Deadline soon() { return drivers::Clock::now() + 20s; }

  // The single value of `sql` run through the driver's query().
  static std::optional<std::string> scalar(drivers::DriverSession& session,
                                           const std::string& sql) {
    auto rows = run_task(session.query(sql, {}, soon()));
    if (!rows || rows->rows.size() != 1 || rows->rows[0].size() != 1) {
      ADD_FAILURE() << sql << ": " << (rows ? "not one value" : rows.error().message);
      return std::nullopt;
    }
    return rows->rows[0][0];
  }

  std::uint16_t port_ = require_port("DSB_TEST_PG_PORT");
  std::unique_ptr<drivers::Driver> driver_ = drivers::make_postgres_driver();
};

}  // namespace dsb::test
