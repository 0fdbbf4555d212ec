#include "server/api/datasource_responses.hpp"

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

}  // namespace dsb::server::api
