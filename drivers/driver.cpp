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
  return quote_doubling(name, '"');
}

std::string Driver::quote_doubling(std::string_view name, char quote) {
  std::string out(1, quote);
  for (char c : name) {
    if (c == quote) out += quote;
    out += c;
  }
  out += quote;
  return out;
}

}  // namespace dsb::drivers
