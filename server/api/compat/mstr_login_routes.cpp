// /api/datasources/logins: MicroStrategy's datasource logins are the
// native logins (/v1/logins), shown as {name, id, description,
// dateCreated, dateModified, acg, username}.
#include "server/api/compat/mstr_common.hpp"
#include "server/api/compat/mstr_routes.hpp"
#include "server/json_body.hpp"
#include "server/login_service.hpp"

namespace dsb::server::api::compat {
namespace json = boost::json;
namespace asio = boost::asio;
using http::status;
using http::verb;

namespace {

constexpr std::string_view kFields[] = {"name", "username", "password", "description"};

json::object render(const store::LoginRecord& r) {
  return {{"name", r.name},
          {"id", r.id},
          {"description", r.description},
          {"dateCreated", mstr_time(r.created_at_ms)},
          {"dateModified", mstr_time(r.updated_at_ms)},
          {"acg", 255},
          {"username", r.username}};
}

asio::awaitable<Response> create(App& app, RequestContext& ctx) {
  auto body = parse_json_object(ctx.req.body());
  if (!body) co_return mstr_error(ctx, body.error());
  json::object login;  // MicroStrategy's other members (acg, ...) have no meaning here
  for (auto key : kFields)
    if (const json::value* v = body->if_contains(key)) login[key] = *v;
  auto r = app.login_service->create(ctx.org_id(), login);
  if (!r) co_return mstr_error(ctx, r.error());
  co_return json_response(ctx, status::created, render(*r));
}

asio::awaitable<Response> list(App& app, RequestContext& ctx) {
  auto all = app.logins->list(ctx.org_id());
  if (!all) co_return mstr_error(ctx, all.error());
  json::array logins;
  for (const auto& r : *all) logins.push_back(render(r));
  co_return json_response(ctx, status::ok, json::object{{"logins", std::move(logins)}});
}

asio::awaitable<Response> get_one(App& app, RequestContext& ctx) {
  auto r = app.login_service->get(ctx.org_id(), normalized_mstr_id(ctx.params.at("id")));
  if (!r) co_return mstr_error(ctx, r.error());
  co_return json_response(ctx, status::ok, render(*r));
}

asio::awaitable<Response> patch(App& app, RequestContext& ctx) {
  auto body = parse_json_object(ctx.req.body());
  if (!body) co_return mstr_error(ctx, body.error());
  auto ops = parse_operation_list(*body, {"/name", "/description", "/username", "/password"});
  if (!ops) co_return mstr_error(ctx, ops.error());
  json::object changes;
  for (const auto& op : *ops) apply_replace(changes, op);
  auto r = app.login_service->update(ctx.org_id(), normalized_mstr_id(ctx.params.at("id")), changes,
                                     true);
  if (!r) co_return mstr_error(ctx, r.error());
  co_return json_response(ctx, status::ok, render(*r));
}

asio::awaitable<Response> remove(App& app, RequestContext& ctx) {
  auto r = app.login_service->remove(ctx.org_id(), normalized_mstr_id(ctx.params.at("id")));
  if (!r) co_return mstr_error(ctx, r.error());
  co_return empty_response(ctx, status::no_content);
}

}  // namespace

void register_mstr_login_routes(App& app, const std::shared_ptr<MstrSessions>& sessions) {
  add_mstr_route(app, sessions, verb::post, "/api/datasources/logins", create);
  add_mstr_route(app, sessions, verb::get, "/api/datasources/logins", list);
  add_mstr_route(app, sessions, verb::get, "/api/datasources/logins/{id}", get_one);
  add_mstr_route(app, sessions, verb::patch, "/api/datasources/logins/{id}", patch);
  add_mstr_route(app, sessions, verb::delete_, "/api/datasources/logins/{id}", remove);
}

}  // namespace dsb::server::api::compat
