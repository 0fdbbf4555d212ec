#include "server/api/compat/mstr_sessions.hpp"

#include "core/ids.hpp"

#include <algorithm>

namespace dsb::server::api::compat {

namespace {

constexpr std::size_t kMaxSessionsPerOrg = 1000;
constexpr std::size_t kSweepFloor = 1024;
constexpr auto kRecheck = std::chrono::seconds(30);
constexpr std::size_t kOrgHex = 32;
constexpr std::size_t kTokenHex = 64;

std::string_view token_of(const Request& req) {
  auto it = req.find(MstrSessions::kHeader);
  return it == req.end() ? std::string_view() : std::string_view(it->value());
}

bool is_lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

MstrSessions::MstrSessions(App& app)
    : app_(app),
      idle_(std::chrono::seconds(app.config.compat.mstr_session_idle_s)),
      tables_(*app.shards, [](std::size_t) { return std::make_unique<Table>(); }) {}

std::optional<std::string> MstrSessions::claimed_org(const Request& req) const {
  const std::string_view token = token_of(req);
  if (token.size() != kTokenHex || !is_lower_hex(token)) return std::nullopt;
  const std::string_view h = token.substr(0, kOrgHex);
  std::string org = std::string(h.substr(0, 8)) + "-" + std::string(h.substr(8, 4)) + "-" +
                    std::string(h.substr(12, 4)) + "-" + std::string(h.substr(16, 4)) + "-" +
                    std::string(h.substr(20, 12));
  if (!looks_like_uuid(org)) return std::nullopt;
  return org;
}

boost::asio::awaitable<std::string> MstrSessions::open(tenancy::Principal who) {
  const std::size_t owner = app_.shards->owner_of(who.org_id);
  // `who` lives in this frame until the call returns: capture a pointer.
  const tenancy::Principal* principal = &who;
  auto add = [this, principal](Table& t) { return insert(t, *principal); };
  co_return co_await tables_.invoke_on(owner, add);
}

std::string MstrSessions::insert(Table& t, const tenancy::Principal& who) {
  const auto now = Clock::now();
  if (t.by_hash.size() >= t.next_sweep) sweep(t, now);
  if (t.per_org[who.org_id] >= kMaxSessionsPerOrg) {
    // The org's least recently used session makes room.
    auto lru = t.by_hash.end();
    for (auto it = t.by_hash.begin(); it != t.by_hash.end(); ++it)
      if (it->second.org_id == who.org_id &&
          (lru == t.by_hash.end() || it->second.last_used < lru->second.last_used))
        lru = it;
    if (lru != t.by_hash.end()) erase(t, lru);
  }
  std::string org_hex = who.org_id;
  org_hex.erase(std::remove(org_hex.begin(), org_hex.end(), '-'), org_hex.end());
  std::transform(org_hex.begin(), org_hex.end(), org_hex.begin(), ::tolower);
  const std::string token = org_hex + random_hex(16);
  t.by_hash[sha256_hex(token)] = Session{who.org_id, who.token_id, now, now};
  ++t.per_org[who.org_id];
  return token;
}

void MstrSessions::erase(Table& t, std::unordered_map<std::string, Session>::iterator it) {
  auto count = t.per_org.find(it->second.org_id);
  if (count != t.per_org.end() && --count->second == 0) t.per_org.erase(count);
  t.by_hash.erase(it);
}

void MstrSessions::sweep(Table& t, Clock::time_point now) {
  for (auto it = t.by_hash.begin(); it != t.by_hash.end();) {
    auto next = std::next(it);
    if (now - it->second.last_used > idle_) erase(t, it);
    it = next;
  }
  t.next_sweep = std::max(kSweepFloor, 2 * t.by_hash.size());
}

bool MstrSessions::token_still_valid(const Session& s) const {
  auto tokens = app_.orgs->list_tokens(s.org_id);
  if (!tokens) return true;  // a storage hiccup is not a logout; the next check decides
  return std::any_of(tokens->begin(), tokens->end(),
                     [&](const tenancy::TokenInfo& t) { return t.id == s.token_id; });
}

std::optional<tenancy::Principal> MstrSessions::resolve(const Request& req) {
  const std::string_view token = token_of(req);
  if (token.size() != kTokenHex) return std::nullopt;
  Table& t = tables_.local();
  auto it = t.by_hash.find(sha256_hex(token));
  if (it == t.by_hash.end()) return std::nullopt;
  const auto now = Clock::now();
  if (now - it->second.last_used > idle_) {
    erase(t, it);
    return std::nullopt;
  }
  if (now - it->second.checked > kRecheck) {
    if (!token_still_valid(it->second)) {
      erase(t, it);
      return std::nullopt;
    }
    it->second.checked = now;
  }
  it->second.last_used = now;
  return tenancy::Principal{tenancy::Principal::Kind::org, it->second.org_id, it->second.token_id};
}

bool MstrSessions::close(const Request& req) {
  const std::string_view token = token_of(req);
  Table& t = tables_.local();
  auto it = t.by_hash.find(sha256_hex(token));
  if (it == t.by_hash.end()) return false;
  erase(t, it);
  return true;
}

std::size_t MstrSessions::local_count() {
  return tables_.local().by_hash.size();
}

}  // namespace dsb::server::api::compat
