// Request options and response bodies shared by the native datasource routes.
#pragma once

#include "server/datasource_service.hpp"
#include "server/http.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>

namespace dsb::server::api {

// ?test=, ?timeout_ms= and If-Match; a Failure names the bad one.
Result<WriteOptions> write_options(const App& app, const RequestContext& ctx);

// The native record (ETag = version) plus {"test": report} when one ran.
Response write_response(const App& app, const RequestContext& ctx, http::status status,
                        const WriteOutcome& out);

// A datasource write: inline when it does not test, else as a job (so its
// stages stream to subscribers and count against the org's test budget).
using WriteOp = std::function<boost::asio::awaitable<Result<WriteOutcome>>(WriteOptions)>;
using WriteResponder = std::function<Response(const WriteOutcome&)>;
boost::asio::awaitable<Response> run_write(App& app, RequestContext& ctx, WriteOptions opts,
                                           std::string datasource_id, const char* kind, WriteOp op,
                                           WriteResponder respond);

}  // namespace dsb::server::api
