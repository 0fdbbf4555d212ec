// The MySQL-protocol driver (MariaDB Connector/C, non-blocking API): mysql,
// mariadb and singlestore.
#pragma once

#include "drivers/driver.hpp"

#include <memory>

namespace dsb::drivers {

std::unique_ptr<Driver> make_mysql_driver();

}  // namespace dsb::drivers
