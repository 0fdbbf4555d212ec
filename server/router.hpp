// Maps (method, path) to a route: a template such as /v1/datasources/{id},
// who may call it, and its handler.
#pragma once

#include "server/http.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace dsb::server {

enum class Access {
  anyone,  // health, metrics, openapi
  admin,   // the admin token
  org,     // an org's API token; runs on the org's shard
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
