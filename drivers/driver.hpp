// The driver seam: one implementation per database protocol family.
#pragma once

#include "core/failure.hpp"
#include "drivers/connection_spec.hpp"
#include "drivers/schema.hpp"
#include "drivers/stage_reporter.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dsb::drivers {

namespace asio = boost::asio;

// Stable failure reasons (Failure::reason) drivers use.
namespace reason {
inline constexpr const char* dns_failed = "dns_failed";
inline constexpr const char* connection_refused = "connection_refused";
inline constexpr const char* timeout = "timeout";
inline constexpr const char* tls_failed = "tls_failed";
inline constexpr const char* auth_failed = "auth_failed";
inline constexpr const char* database_not_found = "database_not_found";
inline constexpr const char* permission_denied = "permission_denied";
inline constexpr const char* egress_denied = "egress_denied";
inline constexpr const char* protocol_error = "protocol_error";
inline constexpr const char* path_denied = "path_denied";
inline constexpr const char* ssh_connect_failed = "ssh_connect_failed";
inline constexpr const char* ssh_auth_failed = "ssh_auth_failed";
inline constexpr const char* host_key_mismatch = "host_key_mismatch";
inline constexpr const char* tunnel_refused = "tunnel_refused";
}  // namespace reason

// A failed connection test: 400 CREDENTIAL_TEST_FAILED with stage and reason.
Failure test_failure(std::string stage, std::string reason, std::string message);

using Row = std::vector<std::optional<std::string>>;
struct Rows {
  std::vector<std::string> columns;
  std::vector<Row> rows;
};

// An open connection. Every call honours `deadline` and never blocks the
// calling thread; the session closes its connection when destroyed.
class DriverSession {
 public:
  virtual ~DriverSession() = default;
  // A trivial query (SELECT 1) proving the session works.
  virtual asio::awaitable<Result<void>> probe(Deadline deadline) = 0;
  // Reads the catalog with a few queries (not one per table). Reports
  // progress through `reporter.progress`.
  virtual asio::awaitable<Result<SchemaSnapshot>> fetch_schema(const SchemaFilter& filter,
                                                               StageReporter& reporter,
                                                               Deadline deadline) = 0;
  virtual asio::awaitable<Result<std::vector<std::string>>> list_databases(Deadline deadline) = 0;
  // A query with positional parameters bound by the driver, never spliced
  // into the SQL text ($1.. for postgres, ? for mysql).
  virtual asio::awaitable<Result<Rows>> query(std::string sql,
                                              std::vector<std::optional<std::string>> params,
                                              Deadline deadline) = 0;
};

class Driver {
 public:
  virtual ~Driver() = default;
  // Connects to target.dial_address:dial_port, reporting the stages
  // tcp_connect, tls_handshake (or skipped) and authenticate.
  virtual asio::awaitable<Result<std::unique_ptr<DriverSession>>> connect(
      const ConnectTarget& target, StageReporter& reporter) = 0;
  // Quotes an identifier (database, schema, table name) the driver's way;
  // by default the SQL standard's: "name" with embedded quotes doubled.
  virtual std::string quote_identifier(std::string_view name) const;

 protected:
  // `name` between two `quote` characters, each one inside doubled.
  static std::string quote_doubling(std::string_view name, char quote);
};

}  // namespace dsb::drivers
