// What the MicroStrategy routes share: the error body, timestamps, object
// ids, PATCH operation lists and the database type names.
#pragma once

#include "core/failure.hpp"
#include "server/http.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dsb::server::api::compat {

// {"code": "ERR...", "message", "ticketId"} with the failure's status.
// ticketId is the request id (the X-Request-Id header and the log line).
// ERR009 for a missing or expired session, ERR003 for a failed login
// (code LOGIN_FAILED), ERR004 for an unknown object, ERR005/ERR006 for
// missing/invalid input, ERR001 otherwise.
Response mstr_error(const RequestContext& ctx, const Failure& f);

// 2021-08-04T15:44:35.000+0000
std::string mstr_time(std::int64_t unix_ms);

// MicroStrategy object ids are 32 upper-case hex digits. A datasource's
// UUID maps to one and back; anything else is not a datasource id.
std::string mstr_id_of_uuid(std::string_view uuid);
std::optional<std::string> uuid_of_mstr_id(std::string_view id);
// An id as given in a path or body, upper-cased.
std::string normalized_mstr_id(std::string_view id);
// A fresh random id.
std::string new_mstr_id();

// PATCH {"operationList": [{"op": "replace", "path": "/description", "value": ...}]}.
struct ReplaceOp {
  std::string path;  // "/description", "/database/login/id"
  boost::json::value value;
};
// Only "replace" (and "add", which replaces the same way) are accepted,
// and only on `allowed` paths. 400 otherwise.
Result<std::vector<ReplaceOp>> parse_operation_list(const boost::json::object& body,
                                                    const std::vector<std::string_view>& allowed);
// Sets the member `op.path` names (creating objects on the way) in `target`.
void apply_replace(boost::json::object& target, const ReplaceOp& op);

// database.type <-> the native type: snow_flake <-> snowflake,
// postgre_sql <-> postgres, my_sql <-> mysql, sql_server <-> mssql, ...
// A native type name is accepted as it is.
std::optional<std::string> native_type_of_mstr(std::string_view mstr_type);
std::string mstr_type_of_native(std::string_view native_type);

// A string member of an object ("" when absent or not a string).
std::string str_at(const boost::json::object& o, std::string_view key);

}  // namespace dsb::server::api::compat
