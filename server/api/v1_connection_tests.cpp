// Connection tests and the schema cache of the native API:
//   POST /v1/datasources/test                  test an unsaved body, store nothing
//   POST /v1/datasources/{id}/test             test a saved datasource, record the outcome
//   GET  /v1/datasources/{id}/schema           the cached schema (ETag, ?schema=)
//   POST /v1/datasources/{id}/schema/refresh   fetch and cache again
#include "core/clock.hpp"
#include "server/api/datasource_responses.hpp"
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

Response test_response(const RequestContext& ctx, const TestReport& report) {
  if (report.failure) return native_error(ctx, *report.failure);
  json::object body = report_json(report);
  if (report.schema) body["tables"] = report.schema->tables.size();
  return json_response(ctx, status::ok, body);
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
  drivers::StageReporter reporter;
  const bool with_schema = ctx.query_or("schema") == "true";
  drivers::SchemaFilter filter = schema_filter(*draft);
  TestReport report = co_await run_test(app, std::move(*spec), with_schema, std::move(filter), *limits, reporter);
  if (!report.failure) finish_report(report, reporter);
  co_return test_response(ctx, report);
}

asio::awaitable<Response> test_saved(App& app, RequestContext& ctx) {
  auto limits = test_limits(app, ctx.query_or("timeout_ms"));
  if (!limits) co_return native_error(ctx, limits.error());
  auto r = app.datasource_service->get(ctx.org_id(), ctx.params.at("id"));
  if (!r) co_return native_error(ctx, r.error());
  auto spec = connection_spec(app, *r);
  if (!spec) co_return native_error(ctx, spec.error());
  drivers::StageReporter reporter;
  drivers::SchemaFilter no_filter;
  TestReport report = co_await run_test(app, std::move(*spec), false, std::move(no_filter), *limits, reporter);
  if (!report.failure) finish_report(report, reporter);
  if (auto rec = app.datasource_service->record_test(ctx.org_id(), r->id, report); !rec)
    co_return native_error(ctx, rec.error());
  co_return test_response(ctx, report);
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
  drivers::StageReporter::Sink no_progress;
  auto out = co_await app.datasource_service->refresh_schema(ctx.org_id(), ctx.params.at("id"), *limits,
                                                             std::move(no_progress));
  if (!out) co_return native_error(ctx, out.error());
  co_return write_response(app, ctx, status::ok, *out);
}

}  // namespace

void register_connection_test_routes(App& app) {
  app.router.add({verb::post, "/v1/datasources/test", Access::org, with_app(app, test_unsaved)});
  app.router.add({verb::post, "/v1/datasources/{id}/test", Access::org, with_app(app, test_saved)});
  app.router.add({verb::get, "/v1/datasources/{id}/schema", Access::org, with_app(app, get_schema)});
  app.router.add({verb::post, "/v1/datasources/{id}/schema/refresh", Access::org, with_app(app, refresh_schema)});
}

}  // namespace dsb::server::api
