// /v1/orgs: the admin manages organizations.
#include "core/clock.hpp"
#include "server/api/routes.hpp"
#include "server/json_body.hpp"

#include <boost/json/value_to.hpp>

namespace dsb::server::api {
namespace json = boost::json;
namespace asio = boost::asio;
using http::status;
using http::verb;

namespace {

json::object org_json(const tenancy::Org& o) {
  return {{"id", o.id}, {"name", o.name}, {"created_at", rfc3339(o.created_at_ms)}, {"limits", o.limits}};
}

json::object issued_token_json(const tenancy::IssuedToken& t) {
  return {{"id", t.info.id},
          {"name", t.info.name},
          {"token", t.secret},
          {"created_at", rfc3339(t.info.created_at_ms)}};
}

Result<std::string> org_name(const json::object& body) {
  const json::value* v = body.if_contains("name");
  if (v == nullptr) return invalid_body({{"name", "is required"}});
  if (!v->is_string()) return invalid_body({{"name", "must be a string"}});
  const auto& s = v->as_string();
  if (s.empty() || s.size() > 200) return invalid_body({{"name", "must be 1 to 200 characters"}});
  for (const auto& [k, _] : body)
    if (k != "name") return invalid_body({{std::string(k), "unknown field"}});
  return std::string(s);
}

asio::awaitable<Response> create_org(App& app, RequestContext& ctx) {
  auto body = parse_json_object(ctx.req.body());
  if (!body) co_return native_error(ctx, body.error());
  auto name = org_name(*body);
  if (!name) co_return native_error(ctx, name.error());
  // All org creations run on one shard: the name check and write cannot interleave.
  auto created = co_await asio::co_spawn(
      app.shards->at(App::kAdminShard).executor(),
      [&]() -> asio::awaitable<Result<std::pair<tenancy::Org, tenancy::IssuedToken>>> {
        co_return app.orgs->create_org(*name);
      },
      asio::use_awaitable);
  if (!created) co_return native_error(ctx, created.error());
  co_return json_response(ctx, status::created,
                          json::object{{"org", org_json(created->first)},
                                       {"token", issued_token_json(created->second)}});
}

asio::awaitable<Response> list_orgs(App& app, RequestContext& ctx) {
  auto orgs = app.orgs->list_orgs();
  if (!orgs) co_return native_error(ctx, orgs.error());
  json::array items;
  for (const auto& o : *orgs) items.push_back(org_json(o));
  co_return json_response(ctx, status::ok, json::object{{"items", std::move(items)}});
}

asio::awaitable<Response> get_org(App& app, RequestContext& ctx) {
  auto org = app.orgs->find_org(ctx.params.at("id"));
  if (!org) co_return native_error(ctx, org.error());
  if (!*org) co_return native_error(ctx, fail(404, "NOT_FOUND", "organization '" + ctx.params.at("id") + "' does not exist"));
  co_return json_response(ctx, status::ok, org_json(**org));
}

asio::awaitable<Response> delete_org(App& app, RequestContext& ctx) {
  const std::string id = ctx.params.at("id");
  // Deletion runs on the org's shard, after any of its in-flight writes.
  auto deleted = co_await asio::co_spawn(
      app.shards->at(app.shards->owner_of(id)).executor(),
      [&]() -> asio::awaitable<Result<bool>> { co_return app.orgs->delete_org(id); },
      asio::use_awaitable);
  if (!deleted) co_return native_error(ctx, deleted.error());
  if (!*deleted) co_return native_error(ctx, fail(404, "NOT_FOUND", "organization '" + id + "' does not exist"));
  co_return empty_response(ctx, status::no_content);
}

// PATCH /v1/orgs/{id} {"limits": {...}}: on the org's shard, where its quotas live.
asio::awaitable<Response> patch_org(App& app, RequestContext& ctx) {
  auto body = parse_json_object(ctx.req.body());
  if (!body) co_return native_error(ctx, body.error());
  for (const auto& [k, _] : *body)
    if (k != "limits") co_return native_error(ctx, invalid_body({{std::string(k), "unknown field (only limits can change)"}}));
  const json::value* requested = body->if_contains("limits");
  if (requested == nullptr) co_return native_error(ctx, invalid_body({{"limits", "is required"}}));
  auto limits = tenancy::parse_limits(*requested);
  if (!limits) co_return native_error(ctx, limits.error());
  const std::string id = ctx.params.at("id");
  const std::size_t owner = app.shards->owner_of(id);
  auto updated = co_await asio::co_spawn(
      app.shards->at(owner).executor(),
      [&]() -> asio::awaitable<Result<std::optional<tenancy::Org>>> {
        auto org = app.orgs->set_limits(id, *limits);
        if (org && *org)
          app.quotas->local().set_limits(id, tenancy::effective_limits(app.default_limits(), (*org)->limits));
        co_return org;
      },
      asio::use_awaitable);
  if (!updated) co_return native_error(ctx, updated.error());
  if (!*updated) co_return native_error(ctx, fail(404, "NOT_FOUND", "organization '" + id + "' does not exist"));
  co_return json_response(ctx, status::ok, org_json(**updated));
}

}  // namespace

void register_org_routes(App& app) {
  app.router.add({verb::patch, "/v1/orgs/{id}", Access::admin, with_app(app, patch_org)});
  app.router.add({verb::post, "/v1/orgs", Access::admin, with_app(app, create_org)});
  app.router.add({verb::get, "/v1/orgs", Access::admin, with_app(app, list_orgs)});
  app.router.add({verb::get, "/v1/orgs/{id}", Access::admin, with_app(app, get_org)});
  app.router.add({verb::delete_, "/v1/orgs/{id}", Access::admin, with_app(app, delete_org)});
}

}  // namespace dsb::server::api
