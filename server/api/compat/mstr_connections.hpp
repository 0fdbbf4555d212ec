// Finding and listing MicroStrategy connections: every native datasource
// is one (id: its UUID as 32 upper-case hex digits), with the compat record
// of MicroStrategy-only settings when it was made through this surface; a
// DSN connection is a compat record alone.
#pragma once

#include "server/api/compat/compat_records.hpp"
#include "server/app.hpp"
#include "store/datasource_record.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dsb::server::api::compat {

inline constexpr const char* kConnectionKind = "mstr_connection";
inline constexpr const char* kDatasourceKind = "mstr_datasource";

struct MstrConnection {
  std::string org_id;
  std::string id;
  boost::json::object record;                     // compat record ({} when none)
  std::optional<store::DatasourceRecord> native;  // none for a DSN connection
};

class MstrConnections {
 public:
  explicit MstrConnections(App& app) : app_(app), records_(*app.store, kConnectionKind) {}

  // 404 NOT_FOUND when no connection has that id.
  Result<MstrConnection> find(std::string_view org_id, std::string_view id);
  Result<std::vector<MstrConnection>> list(std::string_view org_id);
  boost::json::object render(const MstrConnection& c) const;
  // A login's name ("" when it is gone).
  std::string login_name(std::string_view org_id, const std::string& login_id) const;

  CompatRecords& records() { return records_; }

 private:
  App& app_;
  CompatRecords records_;
};

}  // namespace dsb::server::api::compat
