// /v1/tokens: an org manages its own API tokens.
#include "core/clock.hpp"
#include "server/api/routes.hpp"
#include "server/json_body.hpp"

namespace dsb::server::api {
namespace json = boost::json;
namespace asio = boost::asio;
using http::status;
using http::verb;

namespace {

asio::awaitable<Response> create_token(App& app, RequestContext& ctx) {
  std::string name = "unnamed";
  if (!ctx.req.body().empty()) {
    auto body = parse_json_object(ctx.req.body());
    if (!body) co_return native_error(ctx, body.error());
    for (const auto& [k, v] : *body) {
      if (k != "name") co_return native_error(ctx, invalid_body({{std::string(k), "unknown field"}}));
      if (!v.is_string() || v.as_string().empty() || v.as_string().size() > 200)
        co_return native_error(ctx, invalid_body({{"name", "must be a string of 1 to 200 characters"}}));
      name = std::string(v.as_string());
    }
  }
  auto t = app.orgs->issue_token(ctx.org_id(), name);
  if (!t) co_return native_error(ctx, t.error());
  co_return json_response(ctx, status::created,
                          json::object{{"id", t->info.id},
                                       {"name", t->info.name},
                                       {"token", t->secret},
                                       {"created_at", rfc3339(t->info.created_at_ms)}});
}

asio::awaitable<Response> list_tokens(App& app, RequestContext& ctx) {
  auto tokens = app.orgs->list_tokens(ctx.org_id());
  if (!tokens) co_return native_error(ctx, tokens.error());
  json::array items;
  for (const auto& t : *tokens)
    items.push_back({{"id", t.id}, {"name", t.name}, {"created_at", rfc3339(t.created_at_ms)}});
  co_return json_response(ctx, status::ok, json::object{{"items", std::move(items)}});
}

asio::awaitable<Response> revoke_token(App& app, RequestContext& ctx) {
  const auto& id = ctx.params.at("id");
  auto revoked = app.orgs->revoke_token(ctx.org_id(), id);
  if (!revoked) co_return native_error(ctx, revoked.error());
  if (!*revoked) co_return native_error(ctx, fail(404, "NOT_FOUND", "token '" + id + "' does not exist"));
  co_return empty_response(ctx, status::no_content);
}

}  // namespace

void register_token_routes(App& app) {
  app.router.add({verb::post, "/v1/tokens", Access::org, with_app(app, create_token)});
  app.router.add({verb::get, "/v1/tokens", Access::org, with_app(app, list_tokens)});
  app.router.add({verb::delete_, "/v1/tokens/{id}", Access::org, with_app(app, revoke_token)});
}

}  // namespace dsb::server::api
