#include "server/dispatcher.hpp"

#include "core/ids.hpp"

#include <boost/algorithm/string/join.hpp>
#include <boost/asio/co_spawn.hpp>
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

asio::awaitable<Response> run_handler(App& app, const Route& route, RequestContext& ctx) {
  if (route.access != Access::org) co_return co_await route.handler(ctx);
  // The org's shard owns its mutable state; run there, resume here.
  const std::size_t owner = app.shards->owner_of(ctx.org_id());
  if (Shard::current() == owner) co_return co_await route.handler(ctx);
  Shard& target = app.shards->at(owner);
  ++target.pending();
  co_return co_await asio::co_spawn(
      target.executor(),
      [&]() -> asio::awaitable<Response> {
        --target.pending();
        co_return co_await route.handler(ctx);
      },
      asio::use_awaitable);
}

Failure auth_failure() {
  return fail(401, "AUTHENTICATION_ERROR", "a valid Bearer token is required");
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
  if (route.access != Access::anyone) {
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
  } catch (const std::exception& e) {
    // A handler bug must cost one request, never the process.
    out.response = route.render_failure(ctx, internal_error("internal error"));
  }
  co_return out;
}

}  // namespace dsb::server
