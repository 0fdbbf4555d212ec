#include "drivers/mysql/mysql_driver.hpp"

#include "drivers/mysql/mysql_connect.hpp"
#include "drivers/mysql/mysql_session.hpp"

namespace dsb::drivers {

namespace {

class MysqlDriver final : public Driver {
 public:
  asio::awaitable<Result<std::unique_ptr<DriverSession>>> connect(
      const ConnectTarget& target, StageReporter& reporter) override {
    auto open = co_await mysql::mysql_connect(target, reporter);
    if (!open) co_return open.error();
    mysql::MysqlConnection connection(std::move(*open), target.spec.secrets());
    co_return std::make_unique<mysql::MysqlSession>(std::move(connection), target.spec.database);
  }

  // `name` with embedded backticks doubled.
  std::string quote_identifier(std::string_view name) const override {
    return quote_doubling(name, '`');
  }
};

}  // namespace

std::unique_ptr<Driver> make_mysql_driver() {
  return std::make_unique<MysqlDriver>();
}

}  // namespace dsb::drivers
