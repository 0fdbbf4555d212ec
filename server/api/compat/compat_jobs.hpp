// Connection work of the compat surfaces runs as jobs like the native
// API's, so /v1/events subscribers and GET /v1/jobs see its stages; the
// vendor request waits for the job and answers in its own dialect.
#pragma once

#include "server/connection_check.hpp"
#include "server/datasource_service.hpp"
#include "server/http.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <string>

namespace dsb::server::api::compat {

using WriteWork =
    std::function<boost::asio::awaitable<Result<WriteOutcome>>(drivers::StageReporter::Sink)>;
using TestWork =
    std::function<boost::asio::awaitable<Result<TestReport>>(drivers::StageReporter::Sink)>;

// Runs a write (create, replace, schema refresh) as a job of the caller's
// org on its shard and waits for it. A cancelled job fails with 409
// JOB_CANCELLED; a full test queue of the org with 429 (start_job's failure).
boost::asio::awaitable<Result<WriteOutcome>> run_write_job(App& app, const RequestContext& ctx,
                                                           std::string datasource_id,
                                                           const char* kind, WriteWork work);

// As run_write_job, for a connection test whose report is the result; a
// failed test is a Failure (its stages in Failure::extra).
boost::asio::awaitable<Result<TestReport>> run_test_job(App& app, const RequestContext& ctx,
                                                        std::string datasource_id, TestWork work);

// The write options of a compat write: tested or not, the configured deadlines.
WriteOptions compat_write_options(const App& app, bool test);

}  // namespace dsb::server::api::compat
