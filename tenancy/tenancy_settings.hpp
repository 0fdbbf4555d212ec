// A datasource's tenancy: how one SaaS customer ("client") is found in it.
// TABLE: every client in one database, listed by a mapping table and
// scoped by a client column. DATABASE: one database per client.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace dsb::tenancy {

struct TenancySettings {
  enum class Level { table, database } level = Level::table;
  // TABLE
  bool numeric_ids = true;  // client_column_type NUMBER (else STRING)
  std::string schema_name;
  std::string table_name;
  std::string client_name_column;
  std::string primary_key_column;
  std::string client_column;  // in the data tables; defaults to primary_key_column
  // DATABASE
  std::string database_pattern = "{client}";
  std::string client_allow_pattern;  // ECMAScript regex over client ids; empty = any
};

// From a datasource's validated config (its "tenancy" block); nullopt when
// the datasource has no tenancy.
std::optional<TenancySettings> tenancy_of(const boost::json::object& config);

}  // namespace dsb::tenancy
