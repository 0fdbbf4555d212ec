// Many connects against a server that never answers, all on one io_context
// thread, while a timer on the same thread keeps ticking: proves the driver
// never blocks the thread and honours each deadline.
#pragma once

#include "drivers/driver.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace dsb::test {

struct ConcurrencyReport {
  std::vector<std::string> reasons;  // per connect: failure reason or "connected"
  std::vector<double> late_ms;       // per connect: finish time minus its deadline
  double max_tick_late_ms = 0;       // worst lateness of the 10 ms ticker
  int ticks = 0;
  double total_ms = 0;
};

// Runs `count` connects of `driver`, each to the target `make_target(i)`
// returns, on one io_context in this thread.
ConcurrencyReport connect_concurrently(
    drivers::Driver& driver, int count,
    const std::function<drivers::ConnectTarget(int)>& make_target);

}  // namespace dsb::test
