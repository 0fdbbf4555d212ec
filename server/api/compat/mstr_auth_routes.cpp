// POST /api/auth/login: {"username": org id or name, "password": an API
// token of that org} -> 204 with X-MSTR-AuthToken. POST /api/auth/logout
// ends the session.
#include "server/api/compat/mstr_common.hpp"
#include "server/api/compat/mstr_routes.hpp"
#include "server/json_body.hpp"

namespace dsb::server::api::compat {
namespace json = boost::json;
namespace asio = boost::asio;
using http::status;
using http::verb;

namespace {

Failure login_failed() {
  return fail(401, "LOGIN_FAILED",
              "Login failure: username must be an organization's id or name and password an API "
              "token of that organization");
}

// The org `username` names (its id first, then its name), when `password` is one of its tokens.
Result<tenancy::Principal> authenticate(App& app, const std::string& username,
                                        const std::string& password) {
  auto org = app.orgs->find_org(username);
  if (!org) return org.error();
  if (!*org) {
    org = app.orgs->find_org_by_name(username);
    if (!org) return org.error();
  }
  if (!*org) return login_failed();
  auto who = app.orgs->authenticate(password);
  if (!who) return who.error();
  if (!*who || (*who)->kind != tenancy::Principal::Kind::org || (*who)->org_id != (*org)->id)
    return login_failed();
  return **who;
}

asio::awaitable<Response> login(App& app, MstrSessions& sessions, RequestContext& ctx) {
  auto body = parse_json_object(ctx.req.body());
  if (!body) co_return mstr_error(ctx, body.error());
  std::vector<FieldProblem> missing;
  for (const char* key : {"username", "password"})
    if (str_at(*body, key).empty()) missing.push_back({key, "is required"});
  if (!missing.empty()) co_return mstr_error(ctx, invalid_body(std::move(missing)));
  auto who = authenticate(app, str_at(*body, "username"), str_at(*body, "password"));
  if (!who) co_return mstr_error(ctx, who.error());
  const std::string token = co_await sessions.open(std::move(*who));
  Response res = empty_response(ctx, status::no_content);
  res.set(MstrSessions::kHeader, token);
  co_return res;
}

asio::awaitable<Response> logout(App&, MstrSessions& sessions, RequestContext& ctx) {
  sessions.close(ctx.req);
  co_return empty_response(ctx, status::no_content);
}

}  // namespace

void register_mstr_auth_routes(App& app, const std::shared_ptr<MstrSessions>& sessions) {
  Route in{verb::post, "/api/auth/login", Access::anyone,
           [&app, sessions](RequestContext& ctx) { return login(app, *sessions, ctx); }};
  in.render_failure = &mstr_error;
  app.router.add(std::move(in));
  Route out{verb::post, "/api/auth/logout", Access::session,
            [&app, sessions](RequestContext& ctx) { return logout(app, *sessions, ctx); }};
  out.render_failure = &mstr_error;
  out.sessions = sessions;
  app.router.add(std::move(out));
}

}  // namespace dsb::server::api::compat
