// Connection work requested over HTTP runs as a job: with ?async=true the
// answer is 202 with the job at once, otherwise the request waits for the
// job and answers with what it produced.
#pragma once

#include "server/http.hpp"
#include "server/jobs/job_runner.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>

namespace dsb::server::api {

// `sync_response` builds the answer after the job ended (not on cancellation).
boost::asio::awaitable<Response> run_as_job(App& app, RequestContext& ctx, std::string datasource_id,
                                            const char* kind, jobs::JobWork work,
                                            std::function<Response()> sync_response);

// 202 {"job", "job_url", "events_url"}.
Response job_accepted(const RequestContext& ctx, const jobs::Job& job);

}  // namespace dsb::server::api
