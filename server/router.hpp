// Maps (method, path) to a route: a template such as /v1/datasources/{id},
// who may call it, and its handler.
#pragma once

#include "server/http.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dsb::server {

enum class Access {
  anyone,   // health, metrics, openapi
  admin,    // the admin token
  org,      // an org's API token; runs on the org's shard
  session,  // a session token of Route::sessions (MicroStrategy's X-MSTR-AuthToken); org's shard
};

// Session tokens that stand for an org principal. The token names its org,
// so the dispatcher can hand the request to the org's shard before any
// lookup, and the sessions themselves live on that shard: no lock, no
// extra hop.
class SessionAuthority {
 public:
  virtual ~SessionAuthority() = default;
  // The org the request's token claims to belong to, unverified (it only
  // picks the shard); nullopt when the token is missing or malformed.
  virtual std::optional<std::string> claimed_org(const Request& req) const = 0;
  // On the claimed org's shard: the principal of the request's live session
  // (refreshing its idle time); nullopt when it is unknown or has expired.
  virtual std::optional<tenancy::Principal> resolve(const Request& req) = 0;
};

using Handler = std::function<boost::asio::awaitable<Response>(RequestContext&)>;
// Renders a failure in the route's API dialect.
using FailureRenderer = Response (*)(const RequestContext&, const Failure&);

struct Route {
  http::verb method;
  std::string pattern;
  Access access;
  Handler handler;
  FailureRenderer render_failure = &native_error;
  std::shared_ptr<SessionAuthority> sessions = nullptr;  // for Access::session
};

class Router {
 public:
  void add(Route route);

  struct Match {
    const Route* route = nullptr;     // set when path and method match
    std::vector<std::string> allowed;  // methods of the path when only the path matches
  };
  // Fills ctx.params on a match.
  Match match(http::verb method, std::string_view path,
              std::map<std::string, std::string>& params) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace dsb::server
