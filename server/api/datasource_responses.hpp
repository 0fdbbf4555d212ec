// Request options and response bodies shared by the native datasource routes.
#pragma once

#include "server/datasource_service.hpp"
#include "server/http.hpp"

namespace dsb::server::api {

// ?test=, ?timeout_ms= and If-Match; a Failure names the bad one.
Result<WriteOptions> write_options(const App& app, const RequestContext& ctx);

// The native record (ETag = version) plus {"test": report} when one ran.
Response write_response(const App& app, const RequestContext& ctx, http::status status,
                        const WriteOutcome& out);

}  // namespace dsb::server::api
