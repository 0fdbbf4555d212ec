// Comparing a SchemaSnapshot with the expected tables in a readable way.
#pragma once

#include "drivers/schema.hpp"

#include <string>
#include <vector>

namespace dsb::test {

// One line per table ("schema.name kind") and per column
// ("  ordinal name type [not null] [pk]").
std::string describe(const std::vector<drivers::Table>& tables);

// "schema.name" of each table, in order.
std::vector<std::string> table_names(const drivers::SchemaSnapshot& snapshot);

}  // namespace dsb::test
