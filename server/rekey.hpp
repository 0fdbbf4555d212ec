// `dsbroker rekey`: re-encrypts every stored secret under the newest master key.
#pragma once

#include "server/app.hpp"

namespace dsb::server {

// Prints how many secrets it resealed; returns the process exit code.
int rekey(App& app);

}  // namespace dsb::server
