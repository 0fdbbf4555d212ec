// MicroStrategy datasource connections <-> native datasources. A
// connection with a DSN-less connectionString ("SERVER=...;PORT=...;
// DATABASE=...") is a native datasource of the type database.type names,
// its credentials the login database.login.id names; the settings only
// MicroStrategy has (executionMode, timeouts, encodings, driverType, the
// string itself, ...) are kept in a compat record beside it. A bare
// "DSN=name" is kept as a compat record alone: dsbroker has no DSN
// registry, so such a connection is stored and reported as not connectable.
#pragma once

#include "core/failure.hpp"
#include "store/datasource_record.hpp"

#include <boost/json/object.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace dsb::server::api::compat {

struct MstrConnectionInput {
  std::string name;
  std::string login_id;                       // database.login.id, upper-cased
  std::string mstr_type;                      // database.type as given, e.g. snow_flake
  std::string version;                        // database.version
  boost::json::object settings;               // MicroStrategy-only fields, defaults filled
  std::optional<boost::json::object> native;  // the native body; nullopt for a DSN
  std::string dsn;                            // the data source name, for a DSN connection
};

// Reads a POST body (or a whole connection after PATCH operations). 400
// INVALID_REQUEST_BODY naming the MicroStrategy fields; credentials in the
// connection string (UID, PWD) are refused: they belong to the login.
Result<MstrConnectionInput> read_mstr_connection(const boost::json::object& body);

// The fields of the compat record of a connection.
boost::json::object connection_record(const MstrConnectionInput& in, const std::string& native_id);

// The response object. `record` is the compat record (empty for a
// datasource made elsewhere: defaults are shown), `native` the datasource
// behind it (none for a DSN); `login_name` gives a login's current name.
boost::json::object render_mstr_connection(
    const std::string& id, const boost::json::object& record, const store::DatasourceRecord* native,
    const std::function<std::string(const std::string&)>& login_name);

// The MicroStrategy field a native path came from, for messages.
std::string mstr_connection_field(std::string_view native_path);

// The connect deadline maxConnectionAttemptTime asks for (seconds), if any.
std::optional<std::int64_t> max_connection_attempt_s(const boost::json::object& record);

}  // namespace dsb::server::api::compat
