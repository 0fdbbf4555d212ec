#include "drivers/driver.hpp"

namespace dsb::drivers {

Failure test_failure(std::string stage, std::string reason, std::string message) {
  Failure f = fail(400, "CREDENTIAL_TEST_FAILED",
                   "connection test failed at stage " + stage + " (" + reason + "): " + message);
  f.stage = std::move(stage);
  f.reason = std::move(reason);
  return f;
}

std::string Driver::quote_identifier(std::string_view name) const {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace dsb::drivers
