#include "tenancy/org_directory.hpp"

#include "core/clock.hpp"
#include "core/ids.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>

namespace dsb::tenancy {
namespace json = boost::json;
using store::Batch;
using store::Family;

namespace {

constexpr std::string_view kTokenPrefix = "dsb_";
constexpr std::size_t kTokenRandomChars = 40;

std::string org_name_key(std::string_view name) { return "orgname/" + std::string(name); }

std::string encode(const Org& o) {
  return json::serialize(json::object{
      {"id", o.id}, {"name", o.name}, {"created_at_ms", o.created_at_ms}, {"limits", o.limits}});
}

Result<Org> decode_org(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return internal_error("corrupt organization record");
  const auto& o = v.as_object();
  Org org;
  org.id = json::value_to<std::string>(o.at("id"));
  org.name = json::value_to<std::string>(o.at("name"));
  org.created_at_ms = o.at("created_at_ms").to_number<std::int64_t>();
  if (auto* l = o.if_contains("limits"); l && l->is_object()) org.limits = l->as_object();
  return org;
}

json::object token_json(const TokenInfo& t, std::string_view hash) {
  return {{"id", t.id},
          {"org_id", t.org_id},
          {"name", t.name},
          {"created_at_ms", t.created_at_ms},
          {"hash", hash}};
}

TokenInfo decode_token(const json::object& o) {
  return {json::value_to<std::string>(o.at("id")), json::value_to<std::string>(o.at("org_id")),
          json::value_to<std::string>(o.at("name")), o.at("created_at_ms").to_number<std::int64_t>()};
}

}  // namespace

OrgDirectory::OrgDirectory(store::Store& store, std::string_view admin_token)
    : store_(store), admin_token_hash_(sha256_hex(admin_token)) {}

Result<std::optional<Principal>> OrgDirectory::authenticate(std::string_view bearer) const {
  if (bearer.empty()) return std::optional<Principal>{};
  const std::string hash = sha256_hex(bearer);
  if (constant_time_equal(hash, admin_token_hash_))
    return std::optional<Principal>{Principal{Principal::Kind::admin, "", "admin"}};
  if (!bearer.starts_with(kTokenPrefix)) return std::optional<Principal>{};
  auto rec = store_.get(Family::tokens, hash);
  if (!rec) return rec.error();
  if (!*rec) return std::optional<Principal>{};
  boost::system::error_code ec;
  auto v = json::parse(**rec, ec);
  if (ec || !v.is_object()) return internal_error("corrupt token record");
  const auto info = decode_token(v.as_object());
  return std::optional<Principal>{Principal{Principal::Kind::org, info.org_id, info.id}};
}

Result<std::pair<Org, IssuedToken>> OrgDirectory::create_org(std::string name) {
  auto existing = store_.get(Family::meta, org_name_key(name));
  if (!existing) return existing.error();
  if (*existing) {
    Failure f = fail(409, "ORG_NAME_ERROR", "an organization named '" + name + "' already exists");
    f.details.push_back({"name", "already exists"});
    return f;
  }
  Org org{new_uuid(), std::move(name), now_unix_ms(), {}};
  Batch batch;
  batch.put(Family::orgs, org.id, encode(org));
  batch.put(Family::meta, org_name_key(org.name), org.id);
  if (auto w = store_.write(batch); !w) return w.error();
  auto token = issue_token(org.id, "default");
  if (!token) return token.error();
  return std::pair{std::move(org), std::move(*token)};
}

Result<std::vector<Org>> OrgDirectory::list_orgs() const {
  auto rows = store_.scan(Family::orgs, "", "", SIZE_MAX);
  if (!rows) return rows.error();
  std::vector<Org> out;
  for (const auto& kv : *rows) {
    auto org = decode_org(kv.value);
    if (!org) return org.error();
    out.push_back(std::move(*org));
  }
  return out;
}

Result<std::optional<Org>> OrgDirectory::find_org(std::string_view id) const {
  auto rec = store_.get(Family::orgs, id);
  if (!rec) return rec.error();
  if (!*rec) return std::optional<Org>{};
  auto org = decode_org(**rec);
  if (!org) return org.error();
  return std::optional<Org>{std::move(*org)};
}

Result<std::optional<Org>> OrgDirectory::find_org_by_name(std::string_view name) const {
  auto id = store_.get(Family::meta, org_name_key(name));
  if (!id) return id.error();
  if (!*id) return std::optional<Org>{};
  return find_org(**id);
}

Result<std::optional<Org>> OrgDirectory::set_limits(std::string_view id, json::object limits) {
  auto org = find_org(id);
  if (!org || !*org) return org;
  (*org)->limits = std::move(limits);
  Batch batch;
  batch.put(Family::orgs, (*org)->id, encode(**org));
  if (auto w = store_.write(batch); !w) return w.error();
  return org;
}

Result<bool> OrgDirectory::delete_org(std::string_view id) {
  auto org = find_org(id);
  if (!org) return org.error();
  if (!*org) return ok(false);
  auto tokens = store_.scan(Family::org_tokens, std::string(id) + "/", "", SIZE_MAX);
  if (!tokens) return tokens.error();
  // First make the org and its tokens vanish atomically, then sweep the rest.
  Batch batch;
  batch.erase(Family::orgs, std::string(id));
  batch.erase(Family::meta, org_name_key((*org)->name));
  for (const auto& kv : *tokens) {
    boost::system::error_code ec;
    auto v = json::parse(kv.value, ec);
    if (ec || !v.is_object()) return internal_error("corrupt token record");
    batch.erase(Family::tokens, json::value_to<std::string>(v.as_object().at("hash")));
  }
  if (auto w = store_.write(batch); !w) return w.error();
  if (auto e = store_.erase_prefix(std::string(id) + "/"); !e) return e.error();
  return ok(true);
}

Result<IssuedToken> OrgDirectory::issue_token(std::string_view org_id, std::string name) {
  IssuedToken t;
  t.secret = std::string(kTokenPrefix) + random_base62(kTokenRandomChars);
  t.info = TokenInfo{new_uuid(), std::string(org_id), std::move(name), now_unix_ms()};
  const std::string hash = sha256_hex(t.secret);
  const std::string rec = json::serialize(token_json(t.info, hash));
  Batch batch;
  batch.put(Family::tokens, hash, rec);
  batch.put(Family::org_tokens, std::string(org_id) + "/" + t.info.id, rec);
  if (auto w = store_.write(batch); !w) return w.error();
  return t;
}

Result<std::vector<TokenInfo>> OrgDirectory::list_tokens(std::string_view org_id) const {
  auto rows = store_.scan(Family::org_tokens, std::string(org_id) + "/", "", SIZE_MAX);
  if (!rows) return rows.error();
  std::vector<TokenInfo> out;
  for (const auto& kv : *rows) {
    boost::system::error_code ec;
    auto v = json::parse(kv.value, ec);
    if (ec || !v.is_object()) return internal_error("corrupt token record");
    out.push_back(decode_token(v.as_object()));
  }
  return out;
}

Result<bool> OrgDirectory::revoke_token(std::string_view org_id, std::string_view token_id) {
  const std::string key = std::string(org_id) + "/" + std::string(token_id);
  auto rec = store_.get(Family::org_tokens, key);
  if (!rec) return rec.error();
  if (!*rec) return ok(false);
  boost::system::error_code ec;
  auto v = json::parse(**rec, ec);
  if (ec || !v.is_object()) return internal_error("corrupt token record");
  Batch batch;
  batch.erase(Family::org_tokens, key);
  batch.erase(Family::tokens, json::value_to<std::string>(v.as_object().at("hash")));
  if (auto w = store_.write(batch); !w) return w.error();
  return ok(true);
}

}  // namespace dsb::tenancy
