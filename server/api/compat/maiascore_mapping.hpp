// maiascore's flat datasource fields (driver, host, port as a string, ssl,
// sslCA, certificate, keyfile, ssh, sshTunneling, sshHost, sshPort,
// sshUsername, sshPassword, sshIdentity) to and from the native body.
#pragma once

#include "core/failure.hpp"
#include "store/datasource_record.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace dsb::server::api::compat {

// Applies the fields present in `flat` (as decoded from JSON, XML or a
// form: booleans and ports may be strings) to `native`, a native body
// (name, type and connection fields; a stored datasource's config for an
// update, so fields maiascore does not know, such as options{} and
// tenancy{}, are kept). TLS material applies only while ssl is on and the
// SSH fields while ssh or sshTunneling is; there an empty string clears a
// field (a secret then keeps its stored value). Server-managed fields (id,
// published_at, created_by, updated_by, ...) are ignored; unknown fields are
// refused. 400 INVALID_REQUEST_BODY with maiascore field names.
Result<void> maiascore_apply(boost::json::object& native, const boost::json::object& flat,
                             bool require_driver);

// The response record: id, driver, host, username, database, port (a
// string), ssl, certificate, sslCA, ssh, sshHost, sshUsername, sshPort,
// sshTunneling, published_at, created_by, updated_by. Secrets (password,
// keyfile, sshPassword, sshIdentity) are left out. `login_username` stands
// in for username when the datasource takes its credentials from a login.
boost::json::object maiascore_view(const store::DatasourceRecord& r,
                                   const std::string& login_username = {});

// The maiascore name of a native field path ("tls.ca" -> "sslCA").
std::string maiascore_field(std::string_view native_path);

// 2019-08-24T14:15:22Z, as the documents show timestamps.
std::string maiascore_time(std::int64_t unix_ms);

}  // namespace dsb::server::api::compat
