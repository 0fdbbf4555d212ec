// Which driver serves a catalogue type in this build.
#pragma once

#include "drivers/driver.hpp"

#include <string_view>

namespace dsb::drivers {

// The driver for `type` (canonical name or alias), or nullptr when this build
// cannot connect to it. Drivers are stateless and shared by every shard.
Driver* find_driver(std::string_view type);

// 501 DRIVER_UNAVAILABLE naming the type.
Failure driver_unavailable(std::string_view type);

}  // namespace dsb::drivers
