#include "drivers/registry.hpp"

#include "drivers/catalogue/catalogue.hpp"
#include "drivers/clickhouse/clickhouse_driver.hpp"
#include "drivers/csv/csv_driver.hpp"
#include "drivers/mysql/mysql_driver.hpp"
#include "drivers/postgres/postgres_driver.hpp"
#include "drivers/sqlite/sqlite_driver.hpp"

#include <map>
#include <memory>
#include <string>

namespace dsb::drivers {
namespace {

// Built once; drivers keep no per-connection state, so shards share them.
const std::map<std::string, std::unique_ptr<Driver>>& drivers_by_type() {
  static const auto* table = [] {
    auto* t = new std::map<std::string, std::unique_ptr<Driver>>();
    (*t)["postgres"] = make_postgres_driver(postgres::Flavor::postgres);
    (*t)["redshift"] = make_postgres_driver(postgres::Flavor::redshift);
    (*t)["cockroachdb"] = make_postgres_driver(postgres::Flavor::cockroachdb);
    (*t)["mysql"] = make_mysql_driver();
    (*t)["singlestore"] = make_mysql_driver();
    (*t)["clickhouse"] = make_clickhouse_driver();
    (*t)["csv"] = make_csv_driver();
    (*t)["sqlite"] = make_sqlite_driver();
    return t;
  }();
  return *table;
}

}  // namespace

Driver* find_driver(std::string_view type) {
  const TypeEntry* entry = find_type(type);
  if (entry == nullptr) return nullptr;
  const auto& table = drivers_by_type();
  auto it = table.find(entry->name);
  return it == table.end() ? nullptr : it->second.get();
}

Failure driver_unavailable(std::string_view type) {
  return fail(501, "DRIVER_UNAVAILABLE",
              "this build of dsbroker has no driver for datasource type '" + std::string(type) +
                  "'; it can be stored with ?test=false but not tested");
}

}  // namespace dsb::drivers
