#include "drivers/clickhouse/clickhouse_driver.hpp"

#include "drivers/clickhouse/ch_query.hpp"
#include "drivers/clickhouse/ch_session.hpp"
#include "drivers/clickhouse/ch_sql.hpp"

namespace dsb::drivers {

namespace {

using clickhouse::ChHttp;

// options.protocol says https while tls.mode is disable: the catalogue
// refuses that pair; a spec built elsewhere gets TLS with verification
// rather than plaintext.
ConnectTarget with_protocol(const ConnectTarget& target) {
  ConnectTarget t = target;
  const boost::json::value* protocol = t.spec.options.if_contains("protocol");
  if (protocol != nullptr && protocol->is_string() && protocol->get_string() == "https" &&
      !t.spec.tls.enabled()) {
    t.spec.tls.mode = "verify-full";
  }
  return t;
}

class ClickHouseDriver final : public Driver {
 public:
  // tcp_connect and tls_handshake as ChHttp::open reports them; authenticate
  // is the first request (SELECT version() in the chosen database): the
  // server checks the user, password and database on every request.
  asio::awaitable<Result<std::unique_ptr<DriverSession>>> connect(
      const ConnectTarget& given, StageReporter& reporter) override {
    const ConnectTarget target = with_protocol(given);
    auto http = co_await ChHttp::open(target, reporter);
    if (!http) co_return http.error();
    reporter.begin("authenticate");
    auto rows = co_await clickhouse::run_query(**http, "SELECT version()", target.connect_deadline,
                                               "authenticate");
    if (!rows) {
      reporter.failed(rows.error().reason, rows.error().message);
      co_return rows.error();
    }
    boost::json::object detail;
    if (!rows->rows.empty() && !rows->rows[0].empty() && rows->rows[0][0]) {
      detail["server_version"] = *rows->rows[0][0];
    }
    reporter.ok(std::move(detail));
    co_return std::make_unique<clickhouse::ChSession>(std::move(*http), target.spec.database);
  }

  std::string quote_identifier(std::string_view name) const override {
    return clickhouse::quote_identifier(name);
  }
};

}  // namespace

std::unique_ptr<Driver> make_clickhouse_driver() {
  return std::make_unique<ClickHouseDriver>();
}

}  // namespace dsb::drivers
