// Offset paging over an org's datasources, for the vendor surfaces that
// page by number (Databrain's pageNumber, maiascore's _start/_limit).
#pragma once

#include "server/app.hpp"
#include "store/datasource_record.hpp"

#include <cstddef>
#include <string_view>
#include <vector>

namespace dsb::server::api::compat {

// The org's datasources in creation order after skipping `skip`, at most
// `limit` of them, only of `type` when it is not empty.
Result<std::vector<store::DatasourceRecord>> datasource_range(const App& app,
                                                              std::string_view org_id,
                                                              std::size_t skip, std::size_t limit,
                                                              std::string_view type = {});

}  // namespace dsb::server::api::compat
