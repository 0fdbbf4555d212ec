// The PostgreSQL-protocol driver (libpq, non-blocking): postgres, redshift
// and cockroachdb.
#pragma once

#include "drivers/driver.hpp"

#include <memory>

namespace dsb::drivers {

namespace postgres {
// Which server speaks the protocol: catalog queries may differ per flavor.
enum class Flavor { postgres, redshift, cockroachdb };
}  // namespace postgres

std::unique_ptr<Driver> make_postgres_driver(postgres::Flavor flavor = postgres::Flavor::postgres);

}  // namespace dsb::drivers
