#include "server/rekey.hpp"

#include "store/datasource_record.hpp"
#include "store/login_records.hpp"

#include <iostream>

namespace dsb::server {

namespace {

struct Counts {
  std::size_t secrets = 0;
  std::size_t records = 0;
};

// Reseals `envelope` under the newest key unless it already is; `what` names
// it in an error. Returns false (after printing why) on failure.
bool reseal(App& app, std::string& envelope, const std::string& aad, const std::string& what,
            bool& changed, Counts& counts) {
  if (envelope.empty() || app.vault->is_current(envelope)) return true;
  auto plain = app.vault->open(envelope, aad);
  if (!plain) {
    std::cerr << "dsbroker rekey: " << what << ": " << plain.error().message << "\n";
    return false;
  }
  auto sealed = app.vault->seal(*plain, aad);
  if (!sealed) {
    std::cerr << "dsbroker rekey: " << what << ": " << sealed.error().message << "\n";
    return false;
  }
  envelope = std::move(*sealed);
  changed = true;
  ++counts.secrets;
  return true;
}

bool rekey_datasources(App& app, const std::string& org_id, Counts& counts) {
  std::string cursor;
  for (;;) {
    auto page = app.datasources->list(org_id, cursor, 500, "");
    if (!page) {
      std::cerr << "dsbroker rekey: " << page.error().message << "\n";
      return false;
    }
    for (auto r : page->items) {
      bool changed = false;
      for (auto& [path, envelope] : r.secrets)
        if (!reseal(app, envelope, store::secret_aad(r.org_id, r.id, path),
                    "datasource " + r.id + " field " + path, changed, counts))
          return false;
      if (!changed) continue;
      if (auto w = app.datasources->put(r, r.name); !w) {
        std::cerr << "dsbroker rekey: " << w.error().message << "\n";
        return false;
      }
      ++counts.records;
    }
    if (page->next_cursor.empty()) return true;
    cursor = page->next_cursor;
  }
}

// Logins hold secrets too: a login left under an old key stops every
// datasource that uses it once that key is removed.
bool rekey_logins(App& app, const std::string& org_id, Counts& counts) {
  auto logins = app.logins->list(org_id);
  if (!logins) {
    std::cerr << "dsbroker rekey: " << logins.error().message << "\n";
    return false;
  }
  for (auto r : *logins) {
    bool changed = false;
    if (!reseal(app, r.password_envelope, store::secret_aad(r.org_id, r.id, "password"),
                "login " + r.id + " field password", changed, counts))
      return false;
    if (!changed) continue;
    if (auto w = app.logins->put(r, r.name); !w) {
      std::cerr << "dsbroker rekey: " << w.error().message << "\n";
      return false;
    }
    ++counts.records;
  }
  return true;
}

}  // namespace

int rekey(App& app) {
  auto orgs = app.orgs->list_orgs();
  if (!orgs) {
    std::cerr << "dsbroker rekey: " << orgs.error().message << "\n";
    return 1;
  }
  Counts counts;
  for (const auto& org : *orgs)
    if (!rekey_datasources(app, org.id, counts) || !rekey_logins(app, org.id, counts)) return 1;
  std::cout << "rekey: resealed " << counts.secrets << " secrets in " << counts.records
            << " records under key " << app.vault->newest_key_id() << "\n";
  return 0;
}

}  // namespace dsb::server
