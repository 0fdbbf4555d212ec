// The HTTP message types every handler speaks.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/value.hpp>

#include <map>
#include <optional>
#include <string>

#include "core/failure.hpp"
#include "tenancy/org_directory.hpp"

namespace dsb::server {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// What a handler sees of one request.
struct RequestContext {
  Request& req;
  std::string request_id;
  std::string route;                          // the matched template, e.g. /v1/datasources/{id}
  std::map<std::string, std::string> params;  // path parameters
  std::map<std::string, std::string> query;   // decoded query parameters (last one wins)
  std::optional<tenancy::Principal> principal;

  const std::string& org_id() const { return principal->org_id; }
  std::string actor() const { return principal ? principal->token_id : std::string(); }
  std::string query_or(const std::string& key, std::string fallback = {}) const {
    auto it = query.find(key);
    return it == query.end() ? fallback : it->second;
  }
};

// A JSON response with the request's keep-alive and version.
Response json_response(const RequestContext& ctx, http::status status, const boost::json::value& body);
Response empty_response(const RequestContext& ctx, http::status status);

// The native error shape: {code, message, details[], request_id, stage?, reason?, ...extra}.
boost::json::object failure_body(const Failure& f, const std::string& request_id);
Response native_error(const RequestContext& ctx, const Failure& f);

}  // namespace dsb::server
