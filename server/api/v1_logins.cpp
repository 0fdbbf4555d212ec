// /v1/logins: reusable credentials datasources reference by login_id.
#include "server/api/routes.hpp"
#include "server/json_body.hpp"
#include "server/login_service.hpp"

namespace dsb::server::api {
namespace json = boost::json;
namespace asio = boost::asio;
using http::status;
using http::verb;

namespace {

asio::awaitable<Response> create(App& app, RequestContext& ctx) {
  auto body = parse_json_object(ctx.req.body());
  if (!body) co_return native_error(ctx, body.error());
  auto r = app.login_service->create(ctx.org_id(), *body);
  if (!r) co_return native_error(ctx, r.error());
  co_return json_response(ctx, status::created, app.login_service->render(*r));
}

asio::awaitable<Response> list(App& app, RequestContext& ctx) {
  auto all = app.logins->list(ctx.org_id());
  if (!all) co_return native_error(ctx, all.error());
  json::array items;
  for (const auto& r : *all) items.push_back(app.login_service->render(r));
  co_return json_response(ctx, status::ok, json::object{{"items", std::move(items)}});
}

asio::awaitable<Response> get_one(App& app, RequestContext& ctx) {
  auto r = app.login_service->get(ctx.org_id(), ctx.params.at("id"));
  if (!r) co_return native_error(ctx, r.error());
  co_return json_response(ctx, status::ok, app.login_service->render(*r));
}

asio::awaitable<Response> update(App& app, RequestContext& ctx, bool partial) {
  auto body = parse_json_object(ctx.req.body());
  if (!body) co_return native_error(ctx, body.error());
  auto r = app.login_service->update(ctx.org_id(), ctx.params.at("id"), *body, partial);
  if (!r) co_return native_error(ctx, r.error());
  co_return json_response(ctx, status::ok, app.login_service->render(*r));
}

asio::awaitable<Response> replace(App& app, RequestContext& ctx) { return update(app, ctx, false); }
asio::awaitable<Response> patch(App& app, RequestContext& ctx) { return update(app, ctx, true); }

asio::awaitable<Response> remove(App& app, RequestContext& ctx) {
  auto r = app.login_service->remove(ctx.org_id(), ctx.params.at("id"));
  if (!r) co_return native_error(ctx, r.error());
  co_return empty_response(ctx, status::no_content);
}

}  // namespace

void register_login_routes(App& app) {
  app.router.add({verb::post, "/v1/logins", Access::org, with_app(app, create)});
  app.router.add({verb::get, "/v1/logins", Access::org, with_app(app, list)});
  app.router.add({verb::get, "/v1/logins/{id}", Access::org, with_app(app, get_one)});
  app.router.add({verb::put, "/v1/logins/{id}", Access::org, with_app(app, replace)});
  app.router.add({verb::patch, "/v1/logins/{id}", Access::org, with_app(app, patch)});
  app.router.add({verb::delete_, "/v1/logins/{id}", Access::org, with_app(app, remove)});
}

}  // namespace dsb::server::api
