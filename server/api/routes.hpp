// Every API surface registers its routes here.
#pragma once

#include "server/app.hpp"

namespace dsb::server::api {

void register_routes(App& app);

// Adapts `fn(App&, RequestContext&)` to a route handler.
template <class Fn>
Handler with_app(App& app, Fn fn) {
  return [&app, fn](RequestContext& ctx) { return fn(app, ctx); };
}

// An org-token route of a vendor dialect: its failures are rendered in the
// vendor's error shape by `render_failure`.
template <class Fn>
void add_dialect_route(App& app, http::verb method, const char* pattern, Fn fn,
                       FailureRenderer render_failure) {
  Route route{method, pattern, Access::org, with_app(app, fn)};
  route.render_failure = render_failure;
  app.router.add(std::move(route));
}

void register_system_routes(App& app);           // health, readiness, metrics, openapi
void register_org_routes(App& app);              // /v1/orgs (admin)
void register_token_routes(App& app);            // /v1/tokens
void register_type_routes(App& app);             // /v1/types
void register_datasource_routes(App& app);       // /v1/datasources
void register_connection_test_routes(App& app);  // tests and schema cache
void register_login_routes(App& app);            // /v1/logins
void register_job_routes(App& app);              // /v1/jobs
void register_client_routes(App& app);           // /v1/datasources/{id}/clients (tenancy)
void register_event_routes(App& app);            // /v1/events (WebSocket upgrade, documented route)

// The vendor dialects (server/api/compat/), thin mappings onto the same services.
void register_maiascore_routes(App& app);  // /datasources
void register_databrain_routes(App& app);  // /api/v2/datasource
void register_mstr_routes(App& app);       // /api/auth, /api/datasources (X-MSTR-AuthToken)

}  // namespace dsb::server::api
