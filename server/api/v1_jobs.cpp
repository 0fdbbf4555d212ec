// /v1/jobs: connection tests and schema refreshes as jobs.
#include "server/api/routes.hpp"
#include "server/jobs/job_runner.hpp"

namespace dsb::server::api {
namespace json = boost::json;
namespace asio = boost::asio;
using http::status;
using http::verb;

namespace {

Failure job_not_found(const std::string& id) {
  return fail(404, "NOT_FOUND", "job '" + id + "' does not exist");
}

asio::awaitable<Response> get_one(App& app, RequestContext& ctx) {
  const auto& id = ctx.params.at("id");
  const jobs::Job* job = app.jobs->local().find(ctx.org_id(), id);
  if (job == nullptr) co_return native_error(ctx, job_not_found(id));
  co_return json_response(ctx, status::ok, jobs::job_json(*job));
}

asio::awaitable<Response> list(App& app, RequestContext& ctx) {
  std::optional<jobs::JobState> state;
  if (const auto s = ctx.query_or("state"); !s.empty()) {
    state = jobs::parse_job_state(s);
    if (!state)
      co_return native_error(ctx, invalid_body({{"state", "must be one of queued, running, succeeded, failed, cancelled"}},
                                               "bad query parameter"));
  }
  json::array items;
  for (const auto* job : app.jobs->local().list(ctx.org_id(), ctx.query_or("datasource"), state)) {
    json::object summary = jobs::job_json(*job);
    summary.erase("events");  // GET /v1/jobs/{id} has them
    items.push_back(std::move(summary));
  }
  co_return json_response(ctx, status::ok, json::object{{"items", std::move(items)}});
}

asio::awaitable<Response> cancel(App& app, RequestContext& ctx) {
  const auto& id = ctx.params.at("id");
  jobs::Job* job = app.jobs->local().find(ctx.org_id(), id);
  if (job == nullptr) co_return native_error(ctx, job_not_found(id));
  if (!jobs::cancel_job(*job))
    co_return native_error(ctx, fail(409, "JOB_FINISHED", "job '" + id + "' has already finished"));
  co_await jobs::wait_for_job(*job);
  co_return json_response(ctx, status::ok, jobs::job_json(*job));
}

}  // namespace

void register_job_routes(App& app) {
  app.router.add({verb::get, "/v1/jobs", Access::org, with_app(app, list)});
  app.router.add({verb::get, "/v1/jobs/{id}", Access::org, with_app(app, get_one)});
  app.router.add({verb::delete_, "/v1/jobs/{id}", Access::org, with_app(app, cancel)});
}

}  // namespace dsb::server::api
