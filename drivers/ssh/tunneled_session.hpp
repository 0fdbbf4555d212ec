// A driver session reached through an SSH tunnel: it forwards every call to
// the driver's session and owns the tunnel, which it ends after the driver's
// session has closed its connection.
#pragma once

#include "drivers/driver.hpp"
#include "drivers/ssh/ssh_tunnel.hpp"

#include <memory>

namespace dsb::drivers::ssh {

std::unique_ptr<DriverSession> tunneled_session(std::unique_ptr<DriverSession> inner,
                                                std::unique_ptr<SshTunnel> tunnel);

}  // namespace dsb::drivers::ssh
