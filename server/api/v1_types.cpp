// /v1/types: the type catalogue.
#include "drivers/catalogue/catalogue.hpp"
#include "server/api/routes.hpp"

namespace dsb::server::api {

void register_type_routes(App& app) {
  app.router.add({http::verb::get, "/v1/types", Access::org,
                  [](RequestContext& ctx) -> boost::asio::awaitable<Response> {
                    co_return json_response(ctx, http::status::ok,
                                            boost::json::object{{"items", drivers::catalogue_json()}});
                  }});
}

}  // namespace dsb::server::api
