// Connection tests and the schema cache of the native API:
//   POST /v1/datasources/test                  test an unsaved body, store nothing
//   POST /v1/datasources/{id}/test             test a saved datasource, record the outcome
//   GET  /v1/datasources/{id}/schema           the cached schema (ETag, ?schema=)
//   POST /v1/datasources/{id}/schema/refresh   fetch and cache again
#include "core/clock.hpp"
#include "server/api/datasource_responses.hpp"
#include "server/api/job_requests.hpp"
#include "server/api/routes.hpp"
#include "server/json_body.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace dsb::server::api {
namespace json = boost::json;
namespace asio = boost::asio;
using http::status;
using http::verb;

namespace {

json::object report_body(const TestReport& report) {
  if (report.failure) return failure_body(*report.failure, {});
  json::object body = report_json(report);
  if (report.schema) body["tables"] = report.schema->tables.size();
  return body;
}

Response test_response(const RequestContext& ctx, const TestReport& report) {
  if (report.failure) return native_error(ctx, *report.failure);
  return json_response(ctx, status::ok, report_body(report));
}

// Runs a test of `spec` as a job; `after` sees the report before the job ends.
asio::awaitable<Response> test_as_job(App& app, RequestContext& ctx, std::string datasource_id,
                                      drivers::ConnectionSpec spec, bool with_schema,
                                      drivers::SchemaFilter filter, drivers::TestLimits limits,
                                      std::function<Result<void>(const TestReport&)> after) {
  auto report = std::make_shared<TestReport>();
  jobs::JobWork work = [&app, report, spec = std::move(spec), with_schema, filter = std::move(filter),
                        limits, after](drivers::StageReporter::Sink progress) -> asio::awaitable<jobs::JobEnd> {
    drivers::StageReporter reporter(std::move(progress));
    drivers::ConnectionSpec run_spec = spec;
    drivers::SchemaFilter run_filter = filter;
    *report = co_await run_test(app, std::move(run_spec), with_schema, std::move(run_filter), limits, reporter);
    if (!report->failure) finish_report(*report, reporter);
    if (after) {
      if (auto a = after(*report); !a) report->failure = a.error();
    }
    co_return jobs::JobEnd{!report->failure, report_body(*report)};
  };
  // Named, not temporaries: GCC 12 mishandles non-trivial temporaries inside co_await.
  std::function<Response()> respond = [&ctx, report] { return test_response(ctx, *report); };
  co_return co_await run_as_job(app, ctx, std::move(datasource_id), "test", std::move(work), std::move(respond));
}

asio::awaitable<Response> test_unsaved(App& app, RequestContext& ctx) {
  auto limits = test_limits(app, ctx.query_or("timeout_ms"));
  if (!limits) co_return native_error(ctx, limits.error());
  auto body = parse_json_object(ctx.req.body());
  if (!body) co_return native_error(ctx, body.error());
  auto draft = app.datasource_service->draft(ctx.org_id(), std::move(*body));
  if (!draft) co_return native_error(ctx, draft.error());
  auto spec = connection_spec(app, *draft);
  if (!spec) co_return native_error(ctx, spec.error());
  const bool with_schema = ctx.query_or("schema") == "true";
  drivers::SchemaFilter filter = schema_filter(*draft);
  std::function<Result<void>(const TestReport&)> no_after;
  std::string unsaved;  // no datasource id
  co_return co_await test_as_job(app, ctx, std::move(unsaved), std::move(*spec), with_schema, std::move(filter), *limits,
                                 std::move(no_after));
}

asio::awaitable<Response> test_saved(App& app, RequestContext& ctx) {
  auto limits = test_limits(app, ctx.query_or("timeout_ms"));
  if (!limits) co_return native_error(ctx, limits.error());
  auto r = app.datasource_service->get(ctx.org_id(), ctx.params.at("id"));
  if (!r) co_return native_error(ctx, r.error());
  auto spec = connection_spec(app, *r);
  if (!spec) co_return native_error(ctx, spec.error());
  std::function<Result<void>(const TestReport&)> record = [&app, org = ctx.org_id(),
                                                           id = r->id](const TestReport& report) {
    return app.datasource_service->record_test(org, id, report);
  };
  drivers::SchemaFilter no_filter;
  co_return co_await test_as_job(app, ctx, r->id, std::move(*spec), false, std::move(no_filter), *limits,
                                 std::move(record));
}

// Splices the cached schema text into the response without re-encoding it,
// unless ?schema= asks for a subset.
std::string schema_body(const std::string& datasource_id, const store::CachedSchema& c,
                        const std::string& only_schema) {
  json::object meta{{"datasource_id", datasource_id},
                    {"fetched_at", rfc3339(c.fetched_at_ms)},
                    {"hash", c.hash},
                    {"tables", c.tables}};
  std::string schemas = c.schema_json;
  if (!only_schema.empty()) {
    json::array subset;
    const json::value all = json::parse(c.schema_json);
    for (const auto& s : all.as_array())
      if (s.as_object().at("name").as_string() == only_schema) subset.push_back(s);
    schemas = json::serialize(subset);
  }
  std::string out = json::serialize(meta);
  out.pop_back();
  out += ",\"schemas\":" + schemas + "}";
  return out;
}

asio::awaitable<Response> get_schema(App& app, RequestContext& ctx) {
  const auto& id = ctx.params.at("id");
  auto r = app.datasource_service->get(ctx.org_id(), id);
  if (!r) co_return native_error(ctx, r.error());
  auto cached = app.schemas->get(ctx.org_id(), id);
  if (!cached) co_return native_error(ctx, cached.error());
  if (!*cached)
    co_return native_error(ctx, fail(404, "SCHEMA_NOT_CACHED",
                                     "no schema is cached for this datasource; POST .../schema/refresh fetches it"));
  const std::string etag = "\"" + (*cached)->hash + "\"";
  if (auto it = ctx.req.find(http::field::if_none_match); it != ctx.req.end() && it->value() == etag) {
    Response res = empty_response(ctx, status::not_modified);
    res.set(http::field::etag, etag);
    co_return res;
  }
  Response res = empty_response(ctx, status::ok);
  res.set(http::field::content_type, "application/json");
  res.set(http::field::etag, etag);
  res.body() = schema_body(id, **cached, ctx.query_or("schema"));
  co_return res;
}

asio::awaitable<Response> refresh_schema(App& app, RequestContext& ctx) {
  auto limits = test_limits(app, ctx.query_or("timeout_ms"));
  if (!limits) co_return native_error(ctx, limits.error());
  const std::string id = ctx.params.at("id");
  if (auto r = app.datasource_service->get(ctx.org_id(), id); !r) co_return native_error(ctx, r.error());
  auto out = std::make_shared<std::optional<Result<WriteOutcome>>>();
  jobs::JobWork work = [&app, out, org = ctx.org_id(), id, limits = *limits](
                           drivers::StageReporter::Sink progress) -> asio::awaitable<jobs::JobEnd> {
    *out = co_await app.datasource_service->refresh_schema(org, id, limits, std::move(progress));
    if (!**out) co_return jobs::JobEnd{false, failure_body((*out)->error(), {})};
    json::object body = app.datasource_service->render((*out)->value().record);
    if ((*out)->value().test) body["test"] = report_json(*(*out)->value().test);
    co_return jobs::JobEnd{true, std::move(body)};
  };
  std::function<Response()> respond = [&app, &ctx, out] {
    if (!**out) return native_error(ctx, (*out)->error());
    return write_response(app, ctx, status::ok, (*out)->value());
  };
  co_return co_await run_as_job(app, ctx, id, "schema_refresh", std::move(work), std::move(respond));
}

}  // namespace

void register_connection_test_routes(App& app) {
  app.router.add({verb::post, "/v1/datasources/test", Access::org, with_app(app, test_unsaved)});
  app.router.add({verb::post, "/v1/datasources/{id}/test", Access::org, with_app(app, test_saved)});
  app.router.add({verb::get, "/v1/datasources/{id}/schema", Access::org, with_app(app, get_schema)});
  app.router.add({verb::post, "/v1/datasources/{id}/schema/refresh", Access::org, with_app(app, refresh_schema)});
}

}  // namespace dsb::server::api
