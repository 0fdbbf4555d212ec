#include "tests/support/test_env.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace dsb::test {

std::string require_env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    ADD_FAILURE() << name << " is not set: run the tests through `make test`, which starts "
                  << "the test services (tests/services/start.sh)";
    return {};
  }
  return v;
}

std::uint16_t require_port(const char* name) {
  const std::string v = require_env(name);
  return v.empty() ? 0 : static_cast<std::uint16_t>(std::stoi(v));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace dsb::test
