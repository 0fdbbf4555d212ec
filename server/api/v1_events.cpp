// GET /v1/events without an upgrade: the route exists for WebSocket clients
// only (the upgrade itself is taken by the HTTP session before routing).
#include "server/api/routes.hpp"

namespace dsb::server::api {

void register_event_routes(App& app) {
  app.router.add({http::verb::get, "/v1/events", Access::anyone,
                  [](RequestContext& ctx) -> boost::asio::awaitable<Response> {
                    Response res = native_error(
                        ctx, fail(426, "UPGRADE_REQUIRED", "/v1/events speaks WebSocket only"));
                    res.set(http::field::upgrade, "websocket");
                    co_return res;
                  }});
}

}  // namespace dsb::server::api
