// The connection test's tenancy_check stage for TABLE tenancy: the mapping
// table and its two columns exist, and the id column's type fits
// client_column_type.
#pragma once

#include "drivers/schema.hpp"
#include "tenancy/tenancy_settings.hpp"

#include <optional>
#include <string>

namespace dsb::tenancy {

// nullopt when the schema satisfies the settings; else what is wrong.
std::optional<std::string> check_mapping_table(const TenancySettings& s,
                                               const drivers::SchemaSnapshot& schema);

// The tables that carry the client column (what a TABLE client may see).
drivers::SchemaSnapshot tables_with_client_column(const TenancySettings& s,
                                                  const drivers::SchemaSnapshot& schema);

}  // namespace dsb::tenancy
