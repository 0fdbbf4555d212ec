// The csv driver: a file, or a folder of *.csv files, under the server's file
// root (options.path, options.delimiter, options.has_header). Every file
// access runs on the blocking pool.
#pragma once

#include "drivers/driver.hpp"

#include <memory>

namespace dsb::drivers {

std::unique_ptr<Driver> make_csv_driver();

}  // namespace dsb::drivers
