// The sqlite driver: one database file under the server's file root
// (options.path), opened read-only and never created. Every file access runs
// on the blocking pool.
#pragma once

#include "drivers/driver.hpp"

#include <memory>

namespace dsb::drivers {

std::unique_ptr<Driver> make_sqlite_driver();

}  // namespace dsb::drivers
