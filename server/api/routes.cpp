#include "server/api/routes.hpp"

namespace dsb::server::api {

void register_routes(App& app) {
  register_system_routes(app);
  register_org_routes(app);
  register_token_routes(app);
  register_type_routes(app);
  register_datasource_routes(app);
  register_connection_test_routes(app);
  register_login_routes(app);
  register_job_routes(app);
  register_client_routes(app);
  register_event_routes(app);
  register_maiascore_routes(app);
  register_databrain_routes(app);
  register_mstr_routes(app);
}

}  // namespace dsb::server::api
