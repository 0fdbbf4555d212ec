#include "server/api/datasource_responses.hpp"

#include "server/api/job_requests.hpp"

namespace dsb::server::api {

Result<WriteOptions> write_options(const App& app, const RequestContext& ctx) {
  WriteOptions opts;
  const std::string test = ctx.query_or("test", "true");
  if (test != "true" && test != "false")
    return invalid_body({{"test", "must be true or false"}}, "bad query parameter");
  opts.test = test == "true";
  auto limits = test_limits(app, ctx.query_or("timeout_ms"));
  if (!limits) return limits.error();
  opts.limits = *limits;
  if (auto it = ctx.req.find(http::field::if_match); it != ctx.req.end() && it->value() != "*") {
    opts.if_match = parse_version_tag(it->value());
    if (!opts.if_match)
      return fail(400, "INVALID_REQUEST", "If-Match must be an ETag this server issued, e.g. \"v3\"");
  }
  return opts;
}

Response write_response(const App& app, const RequestContext& ctx, http::status status,
                        const WriteOutcome& out) {
  boost::json::object body = app.datasource_service->render(out.record);
  if (out.test) body["test"] = report_json(*out.test);
  Response res = json_response(ctx, status, body);
  res.set(http::field::etag, version_tag(out.record.version));
  return res;
}

boost::asio::awaitable<Response> run_write(App& app, RequestContext& ctx, WriteOptions opts,
                                           std::string datasource_id, const char* kind, WriteOp op,
                                           WriteResponder respond) {
  if (!opts.test) {
    auto r = co_await op(std::move(opts));
    if (!r) co_return native_error(ctx, r.error());
    co_return respond(*r);
  }
  auto out = std::make_shared<std::optional<Result<WriteOutcome>>>();
  jobs::JobWork work = [&app, out, op = std::move(op), opts](
                           drivers::StageReporter::Sink progress) -> boost::asio::awaitable<jobs::JobEnd> {
    WriteOptions with_progress = opts;
    with_progress.progress = std::move(progress);
    *out = co_await op(std::move(with_progress));
    if (!**out) co_return jobs::JobEnd{false, failure_body((*out)->error(), {})};
    boost::json::object result = app.datasource_service->render((*out)->value().record);
    if ((*out)->value().test) result["test"] = report_json(*(*out)->value().test);
    co_return jobs::JobEnd{true, std::move(result)};
  };
  std::function<Response()> finish = [&ctx, out, respond = std::move(respond)] {
    if (!**out) return native_error(ctx, (*out)->error());
    return respond((*out)->value());
  };
  co_return co_await run_as_job(app, ctx, std::move(datasource_id), kind, std::move(work), std::move(finish));
}

}  // namespace dsb::server::api
