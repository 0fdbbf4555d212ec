#include "drivers/postgres/postgres_driver.hpp"

#include "drivers/postgres/pg_connect.hpp"
#include "drivers/postgres/pg_session.hpp"

namespace dsb::drivers {

namespace {

using postgres::Flavor;

class PostgresDriver final : public Driver {
 public:
  explicit PostgresDriver(Flavor flavor) : flavor_(flavor) {}

  asio::awaitable<Result<std::unique_ptr<DriverSession>>> connect(
      const ConnectTarget& target, StageReporter& reporter) override {
    auto conn = co_await postgres::pg_connect(target, reporter);
    if (!conn) co_return conn.error();
    postgres::PgConnection connection(std::move(*conn), target.spec.secrets());
    co_return std::make_unique<postgres::PgSession>(std::move(connection), flavor_);
  }

 private:
  Flavor flavor_;
};

}  // namespace

std::unique_ptr<Driver> make_postgres_driver(Flavor flavor) {
  return std::make_unique<PostgresDriver>(flavor);
}

}  // namespace dsb::drivers
