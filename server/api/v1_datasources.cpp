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
  WriteOp op = [&app, org = ctx.org_id(), actor = ctx.actor(), body = std::move(*body)](WriteOptions o) {
    return app.datasource_service->create(org, actor, body, std::move(o));
  };
  WriteResponder respond = [&app, &ctx](const WriteOutcome& out) { return created_response(app, ctx, out); };
  std::string no_datasource_yet;
  co_return co_await run_write(app, ctx, *opts, std::move(no_datasource_yet), "create", std::move(op),
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

// PUT (full replace) and PATCH (merge patch) of one datasource.
asio::awaitable<Response> update(App& app, RequestContext& ctx, bool merge) {
  auto opts = write_options(app, ctx);
  if (!opts) co_return native_error(ctx, opts.error());
  auto body = parse_json_object(ctx.req.body());
  if (!body) co_return native_error(ctx, body.error());
  const std::string id = ctx.params.at("id");
  WriteOp op = [&app, merge, org = ctx.org_id(), actor = ctx.actor(), id, body = std::move(*body)](WriteOptions o) {
    return merge ? app.datasource_service->patch(org, actor, id, body, std::move(o))
                 : app.datasource_service->replace(org, actor, id, body, std::move(o));
  };
  WriteResponder respond = [&app, &ctx](const WriteOutcome& out) {
    return write_response(app, ctx, status::ok, out);
  };
  std::string datasource = id;
  co_return co_await run_write(app, ctx, *opts, std::move(datasource), "update", std::move(op), std::move(respond));
}

asio::awaitable<Response> replace(App& app, RequestContext& ctx) { return update(app, ctx, false); }
asio::awaitable<Response> patch(App& app, RequestContext& ctx) { return update(app, ctx, true); }

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
