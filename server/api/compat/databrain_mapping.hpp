// Databrain's datasource body ({datasourceType, credentials{name, ...},
// tenancySettings{...}}) to and from the native one, and its errors:
// {"error": {"code", "message"}} with the codes and statuses of its table.
#pragma once

#include "core/failure.hpp"
#include "drivers/catalogue/catalogue.hpp"
#include "server/http.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace dsb::server::api::compat {

// The native body of a Databrain create or update. Credential keys are the
// catalogue's vendor names (mssql "server"/"user", ssl "enable"/"disable",
// elasticsearch "disableAuth", ...); ports and booleans may be strings.
// tenancySettings keys: tenancyLevel, clientColumnType, schemaName,
// tableName, tableClientNameColumn, tablePrimaryKeyColumn (and
// clientColumn, databasePattern, clientAllowPattern). 400
// INVALID_REQUEST_BODY naming the Databrain fields.
Result<boost::json::object> databrain_to_native(const boost::json::object& body);

// The Databrain name of a native field path of `type` ("host" ->
// "credentials.server" for mssql, "tenancy.level" -> "tenancySettings.tenancyLevel").
std::string databrain_field(const drivers::TypeEntry* type, std::string_view native_path);

// A native failure as Databrain reports it: its code and status from
// Databrain's table (a name conflict is 400 there; a test that cannot run
// is a failed credential test; an unknown datasource is 404
// DATASOURCE_NOT_FOUND; other client errors INVALID_REQUEST_BODY, server
// errors INTERNAL_SERVER_ERROR). `type` names fields in the message.
Response databrain_error_for(const RequestContext& ctx, const Failure& f,
                             const drivers::TypeEntry* type);
// The route-level renderer (authentication, handler bugs).
Response databrain_error(const RequestContext& ctx, const Failure& f);

}  // namespace dsb::server::api::compat
