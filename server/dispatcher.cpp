#include "server/dispatcher.hpp"

#include "core/ids.hpp"

#include <boost/algorithm/string/join.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/url/parse.hpp>

namespace dsb::server {
namespace asio = boost::asio;

namespace {

std::string_view bearer_token(const Request& req) {
  auto it = req.find(http::field::authorization);
  if (it == req.end()) return {};
  std::string_view v = it->value();
  constexpr std::string_view kBearer = "Bearer ";
  if (v.size() <= kBearer.size() || !v.substr(0, kBearer.size()).starts_with("Bearer ")) return {};
  return v.substr(kBearer.size());
}

// Fills ctx.query; false when the target is not a valid origin-form URL.
bool parse_target(const Request& req, std::string& path, std::map<std::string, std::string>& query) {
  auto url = boost::urls::parse_origin_form(req.target());
  if (!url) return false;
  path = std::string(url->encoded_path());
  for (auto p : url->params()) query[std::string(p.key)] = std::string(p.value);
  return true;
}

void set_rate_headers(Response& res, const tenancy::Admission& a) {
  res.set("RateLimit-Limit", std::to_string(a.limit));
  res.set("RateLimit-Remaining", std::to_string(a.remaining));
  res.set("RateLimit-Reset", std::to_string(a.reset_s));
}

// Keeps a refused request's connection waiting (on a timer) before its 429,
// so an org hammering past its limit costs the shard a few refusals per
// connection per second, not all the CPU that other orgs need.
asio::awaitable<void> hold_refusal(const App& app) {
  const auto hold = std::chrono::milliseconds(app.config.limits.refusal_hold_ms);
  if (hold.count() <= 0) co_return;
  asio::steady_timer timer(co_await asio::this_coro::executor, hold);
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

// Runs on the org's shard: the request-rate limit, then the handler.
asio::awaitable<Response> within_quota(App& app, const Route& route, RequestContext& ctx) {
  auto& quotas = app.quotas->local();
  const std::string& org = ctx.org_id();
  if (!quotas.knows(org)) {
    auto record = app.orgs->find_org(org);
    const boost::json::object none;
    quotas.set_limits(org, tenancy::effective_limits(app.default_limits(),
                                                     record && *record ? (*record)->limits : none));
  }
  const auto admission = quotas.admit_request(org, tenancy::OrgQuotas::Clock::now());
  if (!admission.allowed) {
    Response res = route.render_failure(
        ctx, fail(429, "RATE_LIMITED",
                  "this organization is over its request rate; retry in " +
                      std::to_string(admission.retry_after_s) + " s"));
    res.set(http::field::retry_after, std::to_string(admission.retry_after_s));
    set_rate_headers(res, admission);
    co_await hold_refusal(app);
    co_return res;
  }
  Response res = co_await route.handler(ctx);
  set_rate_headers(res, admission);
  co_return res;
}

Failure auth_failure() {
  return fail(401, "AUTHENTICATION_ERROR", "a valid Bearer token is required");
}

Failure session_failure() {
  return fail(401, "AUTHENTICATION_ERROR", "the session token is missing, unknown or expired; log in again");
}

// Runs on the org's shard, where a session route's sessions live: the
// session is checked there (it made the principal provisional), then the quota.
asio::awaitable<Response> on_owner(App& app, const Route& route, RequestContext& ctx) {
  if (route.access == Access::session) {
    auto who = route.sessions->resolve(ctx.req);
    if (!who) {
      ctx.principal.reset();
      const Failure f = session_failure();  // named: GCC 12 mishandles temporaries in co_return
      Response res = route.render_failure(ctx, f);
      co_return res;
    }
    ctx.principal = std::move(*who);
  }
  co_return co_await within_quota(app, route, ctx);
}

asio::awaitable<Response> run_handler(App& app, const Route& route, RequestContext& ctx) {
  if (route.access != Access::org && route.access != Access::session) co_return co_await route.handler(ctx);
  // The org's shard owns its mutable state; run there, resume here.
  const std::size_t owner = app.shards->owner_of(ctx.org_id());
  if (Shard::current() == owner) co_return co_await on_owner(app, route, ctx);
  Shard& target = app.shards->at(owner);
  ++target.pending();
  co_return co_await asio::co_spawn(
      target.executor(),
      [&]() -> asio::awaitable<Response> {
        --target.pending();
        co_return co_await on_owner(app, route, ctx);
      },
      asio::use_awaitable);
}

}  // namespace

asio::awaitable<Outcome> dispatch(App& app, Request& req) {
  RequestContext ctx{req, random_hex(8), {}, {}, {}, {}};
  Outcome out;
  out.request_id = ctx.request_id;
  std::string path;
  if (!parse_target(req, path, ctx.query)) {
    out.route = "(invalid)";
    out.response = native_error(ctx, fail(400, "INVALID_REQUEST", "the request target is not a valid URL"));
    co_return out;
  }
  const auto m = app.router.match(req.method(), path, ctx.params);
  if (m.route == nullptr) {
    out.route = "(unmatched)";
    if (!m.allowed.empty()) {
      out.response = native_error(ctx, fail(405, "METHOD_NOT_ALLOWED", "allowed: " + boost::algorithm::join(m.allowed, ", ")));
      out.response.set(http::field::allow, boost::algorithm::join(m.allowed, ", "));
    } else {
      out.response = native_error(ctx, fail(404, "NOT_FOUND", "no route for " + path));
    }
    co_return out;
  }
  const Route& route = *m.route;
  ctx.route = route.pattern;
  out.route = route.pattern;
  if (route.access == Access::session) {
    auto org = route.sessions ? route.sessions->claimed_org(req) : std::nullopt;
    if (!org) {
      out.response = route.render_failure(ctx, session_failure());
      co_return out;
    }
    // Provisional: it only routes the request to the org's shard, where on_owner checks it.
    ctx.principal = tenancy::Principal{tenancy::Principal::Kind::org, std::move(*org), {}};
  } else if (route.access != Access::anyone) {
    auto who = app.orgs->authenticate(bearer_token(req));
    if (!who) {
      out.response = route.render_failure(ctx, who.error());
      co_return out;
    }
    const bool allowed = who->has_value() &&
                         ((*who)->kind == tenancy::Principal::Kind::admin) == (route.access == Access::admin);
    if (!allowed) {
      out.response = route.render_failure(ctx, auth_failure());
      co_return out;
    }
    ctx.principal = **who;
    out.org_id = ctx.principal->org_id;
  }
  try {
    out.response = co_await run_handler(app, route, ctx);
    if (route.access == Access::session) out.org_id = ctx.principal ? ctx.principal->org_id : "";
  } catch (const std::exception& e) {
    // A handler bug must cost one request, never the process.
    out.response = route.render_failure(ctx, internal_error("internal error"));
  }
  co_return out;
}

}  // namespace dsb::server
