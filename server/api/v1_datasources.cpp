// /v1/datasources: the native datasource API.
#include "server/api/datasource_responses.hpp"
#include "server/api/job_requests.hpp"
#include "server/api/routes.hpp"
#include "server/datasource_service.hpp"
#include "server/json_body.hpp"

#include <charconv>

namespace dsb::server::api {
namespace json = boost::json;
namespace asio = boost::asio;
using http::status;
using http::verb;

namespace {

constexpr std::size_t kDefaultPageSize = 50;
constexpr std::size_t kMaxPageSize = 500;

Result<std::size_t> page_size(const RequestContext& ctx) {
  const std::string text = ctx.query_or("limit");
  if (text.empty()) return ok(kDefaultPageSize);
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 1 || n > kMaxPageSize)
    return invalid_body({{"limit", "must be an integer from 1 to 500"}}, "bad query parameter");
  return ok(n);
}

Response created_response(App& app, RequestContext& ctx, const WriteOutcome& out) {
  Response res = write_response(app, ctx, status::created, out);
  res.set(http::field::location, "/v1/datasources/" + out.record.id);
  return res;
}

asio::awaitable<Response> create(App& app, RequestContext& ctx) {
  auto opts = write_options(app, ctx);
  if (!opts) co_return native_error(ctx, opts.error());
  auto body = parse_json_object(ctx.req.body());
  if (!body) co_return native_error(ctx, body.error());
  if (!opts->test) {
    auto r = co_await app.datasource_service->create(ctx.org_id(), ctx.actor(), std::move(*body), *opts);
    if (!r) co_return native_error(ctx, r.error());
    co_return created_response(app, ctx, *r);
  }
  // Tested creates run as jobs, so their stages stream to subscribers.
  auto out = std::make_shared<std::optional<Result<WriteOutcome>>>();
  jobs::JobWork work = [&app, out, org = ctx.org_id(), actor = ctx.actor(), body = std::move(*body),
                        opts = *opts](drivers::StageReporter::Sink progress) -> asio::awaitable<jobs::JobEnd> {
    WriteOptions with_progress = opts;
    with_progress.progress = std::move(progress);
    json::object draft = body;
    *out = co_await app.datasource_service->create(org, actor, std::move(draft), with_progress);
    if (!**out) co_return jobs::JobEnd{false, failure_body((*out)->error(), {})};
    json::object result = app.datasource_service->render((*out)->value().record);
    if ((*out)->value().test) result["test"] = report_json(*(*out)->value().test);
    co_return jobs::JobEnd{true, std::move(result)};
  };
  std::function<Response()> respond = [&app, &ctx, out] {
    if (!**out) return native_error(ctx, (*out)->error());
    return created_response(app, ctx, (*out)->value());
  };
  std::string no_datasource_yet;
  co_return co_await run_as_job(app, ctx, std::move(no_datasource_yet), "create", std::move(work),
                                std::move(respond));
}

asio::awaitable<Response> list(App& app, RequestContext& ctx) {
  auto limit = page_size(ctx);
  if (!limit) co_return native_error(ctx, limit.error());
  auto page = app.datasources->list(ctx.org_id(), ctx.query_or("cursor"), *limit, ctx.query_or("type"));
  if (!page) co_return native_error(ctx, page.error());
  json::array items;
  for (const auto& r : page->items) items.push_back(app.datasource_service->render(r));
  co_return json_response(ctx, status::ok,
                          json::object{{"items", std::move(items)},
                                       {"next_cursor", page->next_cursor.empty()
                                                           ? json::value(nullptr)
                                                           : json::value(page->next_cursor)}});
}

asio::awaitable<Response> get_one(App& app, RequestContext& ctx) {
  auto r = app.datasource_service->get(ctx.org_id(), ctx.params.at("id"));
  if (!r) co_return native_error(ctx, r.error());
  co_return write_response(app, ctx, status::ok, WriteOutcome{std::move(*r), std::nullopt});
}

asio::awaitable<Response> replace(App& app, RequestContext& ctx) {
  auto opts = write_options(app, ctx);
  if (!opts) co_return native_error(ctx, opts.error());
  auto body = parse_json_object(ctx.req.body());
  if (!body) co_return native_error(ctx, body.error());
  auto r = co_await app.datasource_service->replace(ctx.org_id(), ctx.actor(), ctx.params.at("id"),
                                                    std::move(*body), *opts);
  if (!r) co_return native_error(ctx, r.error());
  co_return write_response(app, ctx, status::ok, *r);
}

asio::awaitable<Response> patch(App& app, RequestContext& ctx) {
  auto opts = write_options(app, ctx);
  if (!opts) co_return native_error(ctx, opts.error());
  auto body = parse_json_object(ctx.req.body());
  if (!body) co_return native_error(ctx, body.error());
  auto r = co_await app.datasource_service->patch(ctx.org_id(), ctx.actor(), ctx.params.at("id"),
                                                  std::move(*body), *opts);
  if (!r) co_return native_error(ctx, r.error());
  co_return write_response(app, ctx, status::ok, *r);
}

asio::awaitable<Response> remove(App& app, RequestContext& ctx) {
  auto opts = write_options(app, ctx);
  if (!opts) co_return native_error(ctx, opts.error());
  auto r = app.datasource_service->remove(ctx.org_id(), ctx.params.at("id"), opts->if_match);
  if (!r) co_return native_error(ctx, r.error());
  co_return empty_response(ctx, status::no_content);
}

}  // namespace

void register_datasource_routes(App& app) {
  app.router.add({verb::post, "/v1/datasources", Access::org, with_app(app, create)});
  app.router.add({verb::get, "/v1/datasources", Access::org, with_app(app, list)});
  app.router.add({verb::get, "/v1/datasources/{id}", Access::org, with_app(app, get_one)});
  app.router.add({verb::put, "/v1/datasources/{id}", Access::org, with_app(app, replace)});
  app.router.add({verb::patch, "/v1/datasources/{id}", Access::org, with_app(app, patch)});
  app.router.add({verb::delete_, "/v1/datasources/{id}", Access::org, with_app(app, remove)});
}

}  // namespace dsb::server::api
