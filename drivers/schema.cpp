#include "drivers/schema.hpp"

#include <algorithm>

namespace dsb::drivers {

bool SchemaFilter::admits(const std::string& schema) const {
  if (std::find(exclude.begin(), exclude.end(), schema) != exclude.end()) return false;
  return include.empty() || std::find(include.begin(), include.end(), schema) != include.end();
}

}  // namespace dsb::drivers
