// Health, readiness, metrics and the OpenAPI document.
#include "server/api/openapi_document.hpp"
#include "server/api/routes.hpp"

namespace dsb::server::api {
namespace json = boost::json;
namespace asio = boost::asio;
using http::status;
using http::verb;

namespace {

asio::awaitable<Response> healthz(App&, RequestContext& ctx) {
  co_return json_response(ctx, status::ok, json::object{{"status", "ok"}});
}

asio::awaitable<Response> readyz(App& app, RequestContext& ctx) {
  const bool ready = app.store && app.store->is_open() && !app.draining;
  co_return json_response(ctx, ready ? status::ok : status::service_unavailable,
                          json::object{{"status", ready ? "ready" : "not ready"},
                                       {"store", app.store && app.store->is_open() ? "open" : "closed"}});
}

asio::awaitable<Response> metrics(App& app, RequestContext& ctx) {
  ShardMetrics merged;
  Gauges gauges;
  for (std::size_t i = 0; i < app.shards->size(); ++i) {
    merged.merge(co_await app.metrics->invoke_on(i, [](ShardMetrics& m) { return m; }));
    gauges.shard_pending[i] = app.shards->at(i).pending().load();
  }
  gauges.open_connections = app.open_connections.load();
  Response res = empty_response(ctx, status::ok);
  res.set(http::field::content_type, "text/plain; version=0.0.4");
  res.body() = render_prometheus(merged, gauges);
  co_return res;
}

asio::awaitable<Response> openapi(App&, RequestContext& ctx) {
  Response res = empty_response(ctx, status::ok);
  res.set(http::field::content_type, "application/json");
  res.body() = std::string(openapi_document());
  co_return res;
}

}  // namespace

void register_system_routes(App& app) {
  app.router.add({verb::get, "/healthz", Access::anyone, with_app(app, healthz)});
  app.router.add({verb::get, "/readyz", Access::anyone, with_app(app, readyz)});
  app.router.add({verb::get, "/metrics", Access::anyone, with_app(app, metrics)});
  app.router.add({verb::get, "/openapi.json", Access::anyone, with_app(app, openapi)});
}

}  // namespace dsb::server::api
