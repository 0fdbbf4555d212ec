// Turns (datasource tenancy, client id) into where to connect and what
// scopes the client. Client ids are data, never SQL: a NUMBER id must be an
// integer, a STRING id is bound as a query parameter, a database name must
// fit the pattern and the allow-list, and identifiers are quoted by the
// driver.
#pragma once

#include "core/failure.hpp"
#include "tenancy/tenancy_settings.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dsb::tenancy {

// A SQL statement with positional parameters ($1 / ?), bound by the driver.
struct ParameterizedQuery {
  std::string sql;
  std::vector<std::optional<std::string>> params;
};

struct ClientRoute {
  std::string client_id;
  std::string database;       // DATABASE: the client's own database
  std::string filter_column;  // TABLE: the column that scopes the client's rows
  std::string filter_value;   // TABLE: the client id, to be bound as a parameter
};

using QuoteIdentifier = std::function<std::string(std::string_view)>;

class ClientRouter {
 public:
  // `placeholder(n)` spells the n-th (1-based) parameter: "$1" or "?".
  ClientRouter(TenancySettings settings, QuoteIdentifier quote,
               std::function<std::string(int)> placeholder);

  // Checks `client_id` for this tenancy; 404 CLIENT_NOT_FOUND-style
  // failures are the caller's (it alone can look the client up).
  Result<ClientRoute> route(std::string_view client_id) const;

  // TABLE: the page of the mapping table (id, name) ordered by id.
  ParameterizedQuery list_clients(std::size_t limit, std::size_t offset) const;
  // TABLE: one row when the client exists.
  ParameterizedQuery find_client(const ClientRoute& route) const;
  // TABLE: the mapping table's columns (for the tenancy check of a test).
  ParameterizedQuery mapping_columns(std::string_view catalog_dialect) const;

  // DATABASE: the client id a database name stands for, when it fits the pattern.
  std::optional<std::string> client_of_database(std::string_view database) const;

  const TenancySettings& settings() const { return settings_; }

 private:
  bool allowed(std::string_view client_id) const;

  TenancySettings settings_;
  QuoteIdentifier quote_;
  std::function<std::string(int)> placeholder_;
};

}  // namespace dsb::tenancy
