// One JSON line per request on stdout. Never bodies, tokens or secrets: only
// the fields below.
#pragma once

#include <string_view>

namespace dsb::server {

struct AccessRecord {
  std::string_view request_id;
  std::string_view org_id;
  std::string_view method;
  std::string_view route;
  int status = 0;
  double duration_ms = 0;
};

void write_access_log(const AccessRecord& r);

// A start-up or shutdown event: {"time", "event", "message"}.
void write_event_log(std::string_view event, std::string_view message);

}  // namespace dsb::server
