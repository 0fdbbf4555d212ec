#include "server/api/compat/mstr_routes.hpp"

#include "server/api/compat/mstr_common.hpp"
#include "server/api/routes.hpp"

namespace dsb::server::api {

namespace compat {

void add_mstr_route(App& app, const std::shared_ptr<MstrSessions>& sessions, http::verb method,
                    const char* pattern, MstrHandler fn) {
  Route route{method, pattern, Access::session, with_app(app, fn)};
  route.render_failure = &mstr_error;
  route.sessions = sessions;
  app.router.add(std::move(route));
}

}  // namespace compat

void register_mstr_routes(App& app) {
  auto sessions = std::make_shared<compat::MstrSessions>(app);
  compat::register_mstr_auth_routes(app, sessions);
  compat::register_mstr_login_routes(app, sessions);
  compat::register_mstr_connection_routes(app, sessions);
  compat::register_mstr_datasource_routes(app, sessions);
}

}  // namespace dsb::server::api
