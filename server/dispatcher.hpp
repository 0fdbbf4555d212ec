// Turns one parsed request into a response: match the route, authenticate,
// hand the work to the org's shard, render failures in the route's dialect.
#pragma once

#include "server/app.hpp"
#include "server/http.hpp"

#include <boost/asio/awaitable.hpp>

namespace dsb::server {

struct Outcome {
  Response response;
  std::string route;  // template, for metrics and logs
  std::string org_id;
  std::string request_id;
};

boost::asio::awaitable<Outcome> dispatch(App& app, Request& req);

}  // namespace dsb::server
