// What the driver tests of every type share: a ConnectionSpec reaching the
// test server of that type, connecting through the driver, and one-value
// queries. Each type's fixture names its type, server and driver.
#pragma once

#include "drivers/driver.hpp"
#include "tests/integration/drivers/driver_test_util.hpp"
#include "tests/support/test_env.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dsb::test {

class DriverFixture : public ::testing::Test {
 protected:
  using Session = std::unique_ptr<drivers::DriverSession>;

  // `port_env`: the DSB_TEST_* variable of the server's port.
  DriverFixture(std::string type, std::string database, const char* port_env,
                std::unique_ptr<drivers::Driver> driver)
      : type_(std::move(type)),
        database_(std::move(database)),
        port_(require_port(port_env)),
        driver_(std::move(driver)) {}

  drivers::ConnectionSpec spec(const std::string& mode = "disable") const {
    drivers::ConnectionSpec s;
    s.type = type_;
    s.host = "localhost";
    s.port = port_;
    s.database = database_;
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
  Session open(const drivers::ConnectionSpec& s, std::uint16_t port = 0) {
    auto session = connect(s, port);
    if (!session) {
      ADD_FAILURE() << session.error().message;
      return nullptr;
    }
    return std::move(*session);
  }

  static drivers::Deadline soon() { return drivers::Clock::now() + 30s; }

  static Result<drivers::Rows> query(drivers::DriverSession& session, const std::string& sql,
                                     std::vector<std::optional<std::string>> params = {}) {
    return run_task(session.query(sql, std::move(params), soon()));
  }

  // The last value of the one row `sql` answers (a SHOW ... LIKE answers
  // the name, then the value).
  static std::optional<std::string> scalar(drivers::DriverSession& session, const std::string& sql,
                                           std::vector<std::optional<std::string>> params = {}) {
    auto rows = query(session, sql, std::move(params));
    if (!rows || rows->rows.size() != 1 || rows->rows[0].empty()) {
      ADD_FAILURE() << sql << ": " << (rows ? "not one row" : rows.error().message);
      return std::nullopt;
    }
    return rows->rows[0].back();
  }

  std::string type_;
  std::string database_;
  std::uint16_t port_;
  std::unique_ptr<drivers::Driver> driver_;
};

}  // namespace dsb::test
