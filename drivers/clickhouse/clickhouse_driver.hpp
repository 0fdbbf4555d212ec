// The ClickHouse driver: the HTTP(S) interface through Beast, non-blocking,
// with the datasource's TLS settings (options.protocol https = TLS).
#pragma once

#include "drivers/driver.hpp"

#include <memory>

namespace dsb::drivers {

std::unique_ptr<Driver> make_clickhouse_driver();

}  // namespace dsb::drivers
