#include "server/http.hpp"

#include <boost/json/serialize.hpp>

namespace dsb::server {
namespace json = boost::json;

Response json_response(const RequestContext& ctx, http::status status, const json::value& body) {
  Response res{status, ctx.req.version()};
  res.set(http::field::content_type, "application/json");
  res.set("X-Request-Id", ctx.request_id);
  res.body() = json::serialize(body);
  return res;
}

Response empty_response(const RequestContext& ctx, http::status status) {
  Response res{status, ctx.req.version()};
  res.set("X-Request-Id", ctx.request_id);
  return res;
}

Response native_error(const RequestContext& ctx, const Failure& f) {
  json::array details;
  for (const auto& d : f.details) details.push_back({{"field", d.field}, {"problem", d.problem}});
  json::object body{{"code", f.code},
                    {"message", f.message},
                    {"details", std::move(details)},
                    {"request_id", ctx.request_id}};
  if (!f.stage.empty()) body["stage"] = f.stage;
  if (!f.reason.empty()) body["reason"] = f.reason;
  for (const auto& [k, v] : f.extra) body[k] = v;
  return json_response(ctx, static_cast<http::status>(f.status), body);
}

}  // namespace dsb::server
