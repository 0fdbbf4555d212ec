// Organizations and their API tokens. Tokens are "dsb_" + 40 random base62
// characters, shown once and stored only as their SHA-256.
#pragma once

#include "core/failure.hpp"
#include "store/store.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dsb::tenancy {

struct Org {
  std::string id;
  std::string name;
  std::int64_t created_at_ms = 0;
  boost::json::object limits;
};

struct TokenInfo {
  std::string id;
  std::string org_id;
  std::string name;
  std::int64_t created_at_ms = 0;
};

struct IssuedToken {
  TokenInfo info;
  std::string secret;  // the only time it exists in clear
};

struct Principal {
  enum class Kind { admin, org } kind = Kind::org;
  std::string org_id;    // empty for admin
  std::string token_id;  // "admin" for the admin token
};

class OrgDirectory {
 public:
  OrgDirectory(store::Store& store, std::string_view admin_token);

  // Who `bearer` is, or nullopt for an unknown or revoked token.
  Result<std::optional<Principal>> authenticate(std::string_view bearer) const;

  // Creates an org and its first token. Callers serialize creations (they all
  // run on one shard) so the name check and the write cannot interleave.
  Result<std::pair<Org, IssuedToken>> create_org(std::string name);
  Result<std::vector<Org>> list_orgs() const;
  Result<std::optional<Org>> find_org(std::string_view id) const;
  Result<std::optional<Org>> find_org_by_name(std::string_view name) const;
  // Replaces the org's limit overrides; nullopt when the org does not exist.
  Result<std::optional<Org>> set_limits(std::string_view id, boost::json::object limits);
  // Removes the org and every record under it. False when it did not exist.
  Result<bool> delete_org(std::string_view id);

  Result<IssuedToken> issue_token(std::string_view org_id, std::string name);
  Result<std::vector<TokenInfo>> list_tokens(std::string_view org_id) const;
  // False when the token does not exist in that org.
  Result<bool> revoke_token(std::string_view org_id, std::string_view token_id);

 private:
  store::Store& store_;
  std::string admin_token_hash_;
};

}  // namespace dsb::tenancy
