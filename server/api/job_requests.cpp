#include "server/api/job_requests.hpp"

namespace dsb::server::api {
namespace json = boost::json;

Response job_accepted(const RequestContext& ctx, const jobs::Job& job) {
  Response res = json_response(ctx, http::status::accepted,
                               json::object{{"job", jobs::job_json(job)},
                                            {"job_url", "/v1/jobs/" + job.id},
                                            {"events_url", "/v1/events?job=" + job.id}});
  res.set(http::field::location, "/v1/jobs/" + job.id);
  return res;
}

boost::asio::awaitable<Response> run_as_job(App& app, RequestContext& ctx, std::string datasource_id,
                                            const char* kind, jobs::JobWork work,
                                            std::function<Response()> sync_response) {
  const std::string async = ctx.query_or("async", "false");
  if (async != "true" && async != "false")
    co_return native_error(ctx, invalid_body({{"async", "must be true or false"}}, "bad query parameter"));
  auto started = jobs::start_job(app, ctx.org_id(), std::move(datasource_id), kind, std::move(work));
  if (!started) co_return native_error(ctx, started.error());
  jobs::Job& job = **started;
  if (async == "true") co_return job_accepted(ctx, job);
  co_await jobs::wait_for_job(job);
  if (job.state == jobs::JobState::cancelled)
    co_return native_error(ctx, fail(409, "JOB_CANCELLED", "job " + job.id + " was cancelled"));
  co_return sync_response();
}

}  // namespace dsb::server::api
