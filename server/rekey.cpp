#include "server/rekey.hpp"

#include "store/datasource_record.hpp"

#include <iostream>

namespace dsb::server {

int rekey(App& app) {
  auto orgs = app.orgs->list_orgs();
  if (!orgs) {
    std::cerr << "dsbroker rekey: " << orgs.error().message << "\n";
    return 1;
  }
  std::size_t resealed = 0, records = 0;
  for (const auto& org : *orgs) {
    std::string cursor;
    for (;;) {
      auto page = app.datasources->list(org.id, cursor, 500, "");
      if (!page) {
        std::cerr << "dsbroker rekey: " << page.error().message << "\n";
        return 1;
      }
      for (auto r : page->items) {
        bool changed = false;
        for (auto& [path, envelope] : r.secrets) {
          if (app.vault->is_current(envelope)) continue;
          const auto aad = store::secret_aad(r.org_id, r.id, path);
          auto plain = app.vault->open(envelope, aad);
          if (!plain) {
            std::cerr << "dsbroker rekey: datasource " << r.id << " field " << path << ": "
                      << plain.error().message << "\n";
            return 1;
          }
          auto sealed = app.vault->seal(*plain, aad);
          if (!sealed) return 1;
          envelope = std::move(*sealed);
          changed = true;
          ++resealed;
        }
        if (changed) {
          if (auto w = app.datasources->put(r, r.name); !w) {
            std::cerr << "dsbroker rekey: " << w.error().message << "\n";
            return 1;
          }
          ++records;
        }
      }
      if (page->next_cursor.empty()) break;
      cursor = page->next_cursor;
    }
  }
  std::cout << "rekey: resealed " << resealed << " secrets in " << records
            << " records under key " << app.vault->newest_key_id() << "\n";
  return 0;
}

}  // namespace dsb::server
