// docs/openapi.yaml, embedded at build time. It is written in YAML's JSON
// subset so it can be served as /openapi.json unchanged.
#pragma once

#include <string_view>

namespace dsb::server::api {

std::string_view openapi_document();

}  // namespace dsb::server::api
