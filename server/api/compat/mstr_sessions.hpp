// MicroStrategy sessions: POST /api/auth/login trades an org's API token
// for an X-MSTR-AuthToken that expires after compat.mstr_session_idle_s
// without use.
//
// Where they live: a session is per-org state, so it lives on the org's
// shard, in a plain hash map only that shard's thread touches. The token
// is the org id (32 hex digits) followed by 128 random bits, so the
// dispatcher knows the owning shard before any lookup: the request takes
// the one hop every org request takes, and the lookup needs no lock. Maps
// hold SHA-256 hashes of tokens, never tokens. Sessions are memory only
// (a restart logs everyone out, as MicroStrategy's own do); a RocksDB
// table would cost a write on every request to keep the idle time. A
// session ends when its API token is revoked or its org deleted (checked
// at most every 30 s).
#pragma once

#include "server/app.hpp"
#include "server/router.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>

namespace dsb::server::api::compat {

class MstrSessions final : public SessionAuthority {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr const char* kHeader = "X-MSTR-AuthToken";

  explicit MstrSessions(App& app);

  // From any shard: opens a session for `who` (an org principal) on the
  // org's shard and returns its token.
  boost::asio::awaitable<std::string> open(tenancy::Principal who);
  // On the org's shard: ends the request's session; false when it had none.
  bool close(const Request& req);

  std::optional<std::string> claimed_org(const Request& req) const override;
  std::optional<tenancy::Principal> resolve(const Request& req) override;

  // Sessions held by the calling shard (tests, metrics).
  std::size_t local_count();

 private:
  struct Session {
    std::string org_id;
    std::string token_id;  // the API token it was opened with
    Clock::time_point last_used;
    Clock::time_point checked;  // when the API token was last seen valid
  };
  struct Table {
    std::unordered_map<std::string, Session> by_hash;
    std::unordered_map<std::string, std::size_t> per_org;
    std::size_t next_sweep = 0;
  };

  std::string insert(Table& t, const tenancy::Principal& who);
  void erase(Table& t, std::unordered_map<std::string, Session>::iterator it);
  void sweep(Table& t, Clock::time_point now);
  bool token_still_valid(const Session& s) const;

  App& app_;
  Clock::duration idle_;
  Sharded<Table> tables_;
};

}  // namespace dsb::server::api::compat
