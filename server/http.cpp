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

boost::json::object failure_body(const Failure& f, const std::string& request_id) {
  json::array details;
  for (const auto& d : f.details) details.push_back({{"field", d.field}, {"problem", d.problem}});
  json::object body{{"code", f.code}, {"message", f.message}, {"details", std::move(details)}};
  if (!request_id.empty()) body["request_id"] = request_id;
  if (!f.stage.empty()) body["stage"] = f.stage;
  if (!f.reason.empty()) body["reason"] = f.reason;
  for (const auto& [k, v] : f.extra) body[k] = v;
  return body;
}

Response native_error(const RequestContext& ctx, const Failure& f) {
  return json_response(ctx, static_cast<http::status>(f.status), failure_body(f, ctx.request_id));
}

}  // namespace dsb::server
