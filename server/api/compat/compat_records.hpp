// What a vendor surface must remember that the native records have no
// place for (MicroStrategy's connection settings and its datasource
// objects): small JSON records in the store's compat family, keyed
// "<org_id>/<kind>/<id>" so an org's deletion takes them along.
#pragma once

#include "core/failure.hpp"
#include "store/store.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dsb::server::api::compat {

struct CompatRecord {
  std::string id;
  boost::json::object fields;
};

class CompatRecords {
 public:
  CompatRecords(store::Store& store, std::string kind) : store_(store), kind_(std::move(kind)) {}

  // nullopt when absent; a Failure on storage errors or an undecodable value.
  Result<std::optional<boost::json::object>> get(std::string_view org_id,
                                                 std::string_view id) const;
  Result<void> put(std::string_view org_id, std::string_view id, const boost::json::object& fields);
  Result<void> erase(std::string_view org_id, std::string_view id);
  // Every record of the org of this kind, in id order.
  Result<std::vector<CompatRecord>> list(std::string_view org_id) const;

 private:
  std::string key(std::string_view org_id, std::string_view id) const;

  store::Store& store_;
  std::string kind_;
};

}  // namespace dsb::server::api::compat
