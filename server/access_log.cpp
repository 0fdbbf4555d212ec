#include "server/access_log.hpp"

#include "core/clock.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <unistd.h>

namespace dsb::server {
namespace {

// One write(2) per line keeps lines from different shards whole.
void emit(std::string line) {
  line += '\n';
  std::size_t off = 0;
  while (off < line.size()) {
    const auto n = ::write(STDOUT_FILENO, line.data() + off, line.size() - off);
    if (n <= 0) return;  // a closed stdout must not take the server down
    off += static_cast<std::size_t>(n);
  }
}

}  // namespace

void write_access_log(const AccessRecord& r) {
  emit(boost::json::serialize(boost::json::object{{"time", rfc3339(now_unix_ms())},
                                                  {"request_id", r.request_id},
                                                  {"org", r.org_id},
                                                  {"method", r.method},
                                                  {"route", r.route},
                                                  {"status", r.status},
                                                  {"duration_ms", r.duration_ms}}));
}

void write_event_log(std::string_view event, std::string_view message) {
  emit(boost::json::serialize(boost::json::object{
      {"time", rfc3339(now_unix_ms())}, {"event", event}, {"message", message}}));
}

}  // namespace dsb::server
