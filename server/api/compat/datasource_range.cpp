#include "server/api/compat/datasource_range.hpp"

#include <algorithm>

namespace dsb::server::api::compat {

namespace {
constexpr std::size_t kPage = 500;
}

Result<std::vector<store::DatasourceRecord>> datasource_range(const App& app,
                                                              std::string_view org_id,
                                                              std::size_t skip, std::size_t limit,
                                                              std::string_view type) {
  std::vector<store::DatasourceRecord> out;
  std::string cursor;
  while (out.size() < limit) {
    auto page = app.datasources->list(org_id, cursor, kPage, type);
    if (!page) return page.error();
    for (auto& r : page->items) {
      if (skip > 0) {
        --skip;
        continue;
      }
      if (out.size() == limit) break;
      out.push_back(std::move(r));
    }
    if (page->next_cursor.empty()) break;
    cursor = page->next_cursor;
  }
  return out;
}

}  // namespace dsb::server::api::compat
