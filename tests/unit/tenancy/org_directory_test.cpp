// Organizations and tokens over a real RocksDB store in a temp dir: who a
// bearer is, token issue/revoke, and org deletion sweeping the org's records.
#include "tenancy/org_directory.hpp"

#include "core/ids.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <regex>

namespace dsb::tenancy {
namespace {

namespace fs = std::filesystem;
using store::Family;

constexpr const char* kAdmin = "unit-admin-token-0123456789";

class OrgDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "dsb-tenancy-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    open();
  }
  void TearDown() override {
    dir_orgs_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }
  void open() {
    dir_orgs_.reset();
    store_.reset();
    auto s = store::open_rocks_store(dir_ + "/db");
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    dir_orgs_ = std::make_unique<OrgDirectory>(*store_, kAdmin);
  }
  std::optional<Principal> who(std::string_view bearer) {
    auto r = dir_orgs_->authenticate(bearer);
    EXPECT_TRUE(r);
    return r ? *r : std::nullopt;
  }
  std::pair<Org, IssuedToken> make(const std::string& name) {
    auto r = dir_orgs_->create_org(name);
    EXPECT_TRUE(r) << r.error().message;
    return *r;
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<OrgDirectory> dir_orgs_;
};

TEST_F(OrgDirectoryTest, AuthenticatesAdminOrgAndNobody) {
  EXPECT_FALSE(who(""));
  EXPECT_FALSE(who("nope"));
  EXPECT_FALSE(who(std::string(kAdmin) + "x"));
  const auto admin = who(kAdmin);
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->kind, Principal::Kind::admin);
  EXPECT_TRUE(admin->org_id.empty());

  const auto [org, token] = make("acme");
  const auto p = who(token.secret);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, Principal::Kind::org);
  EXPECT_EQ(p->org_id, org.id);
  EXPECT_EQ(p->token_id, token.info.id);
  EXPECT_FALSE(who(token.secret.substr(0, token.secret.size() - 1)));
  EXPECT_FALSE(who(token.secret.substr(4)));  // without the dsb_ prefix
}

TEST_F(OrgDirectoryTest, TokensAreRandomAndStoredOnlyAsHashes) {
  const auto [org, first] = make("acme");
  EXPECT_TRUE(std::regex_match(first.secret, std::regex("dsb_[0-9A-Za-z]{40}"))) << first.secret;
  EXPECT_TRUE(looks_like_uuid(first.info.id));
  EXPECT_EQ(first.info.org_id, org.id);
  auto second = dir_orgs_->issue_token(org.id, "ci");
  ASSERT_TRUE(second);
  EXPECT_NE(second->secret, first.secret);
  for (auto f : {Family::tokens, Family::org_tokens}) {
    auto rows = store_->scan(f, "", "", SIZE_MAX);
    ASSERT_TRUE(rows);
    EXPECT_EQ(rows->size(), 2u);
    for (const auto& kv : *rows) {
      for (const std::string& secret : {first.secret, second->secret}) {
        EXPECT_EQ(kv.key.find(secret), std::string::npos);
        EXPECT_EQ(kv.value.find(secret), std::string::npos);
      }
    }
  }
  EXPECT_TRUE(store_->get(Family::tokens, sha256_hex(first.secret)).value().has_value());
  auto list = dir_orgs_->list_tokens(org.id);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
}

TEST_F(OrgDirectoryTest, RevokeIsImmediateAndScopedToTheOrg) {
  const auto [acme, acme_token] = make("acme");
  const auto [globex, globex_token] = make("globex");
  auto extra = dir_orgs_->issue_token(acme.id, "extra");
  ASSERT_TRUE(extra);
  // Another org's id: not found, and the token keeps working.
  EXPECT_FALSE(dir_orgs_->revoke_token(globex.id, extra->info.id).value());
  EXPECT_TRUE(who(extra->secret));
  EXPECT_TRUE(dir_orgs_->revoke_token(acme.id, extra->info.id).value());
  EXPECT_FALSE(who(extra->secret));
  EXPECT_FALSE(dir_orgs_->revoke_token(acme.id, extra->info.id).value());
  EXPECT_TRUE(who(acme_token.secret));
  EXPECT_EQ(dir_orgs_->list_tokens(acme.id).value().size(), 1u);
  EXPECT_TRUE(dir_orgs_->list_tokens(globex.id).value().size() == 1u);
}

TEST_F(OrgDirectoryTest, OrgNamesAreUnique) {
  make("acme");
  auto dup = dir_orgs_->create_org("acme");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().status, 409);
  EXPECT_EQ(dup.error().code, "ORG_NAME_ERROR");
  auto found = dir_orgs_->find_org_by_name("acme");
  ASSERT_TRUE(found);
  ASSERT_TRUE(*found);
  EXPECT_EQ((*found)->name, "acme");
  EXPECT_FALSE(dir_orgs_->find_org_by_name("ACME").value());
  EXPECT_FALSE(dir_orgs_->find_org("01890000-0000-7000-8000-000000000000").value());
}

TEST_F(OrgDirectoryTest, DeleteOrgSweepsEverythingOfThatOrgOnly) {
  const auto [acme, acme_token] = make("acme");
  const auto [globex, globex_token] = make("globex");
  store::Batch b;
  b.put(Family::datasources, acme.id + "/d1", "{}");
  b.put(Family::datasource_names, acme.id + "/n1", "d1");
  b.put(Family::schemas, acme.id + "/d1/", "s");
  b.put(Family::datasources, globex.id + "/d2", "{}");
  ASSERT_TRUE(store_->write(b));

  EXPECT_TRUE(dir_orgs_->delete_org(acme.id).value());
  EXPECT_FALSE(dir_orgs_->delete_org(acme.id).value());
  EXPECT_FALSE(who(acme_token.secret));
  EXPECT_FALSE(dir_orgs_->find_org(acme.id).value());
  EXPECT_FALSE(dir_orgs_->find_org_by_name("acme").value());
  for (auto f :
       {Family::datasources, Family::datasource_names, Family::schemas, Family::org_tokens})
    EXPECT_TRUE(store_->scan(f, acme.id + "/", "", SIZE_MAX).value().empty());
  EXPECT_EQ(store_->scan(Family::datasources, globex.id + "/", "", SIZE_MAX).value().size(), 1u);
  EXPECT_TRUE(who(globex_token.secret));
  // The name is free again.
  EXPECT_TRUE(dir_orgs_->create_org("acme"));
  EXPECT_EQ(dir_orgs_->list_orgs().value().size(), 2u);
}

TEST_F(OrgDirectoryTest, EverythingSurvivesReopeningTheStore) {
  const auto [acme, token] = make("acme");
  auto revoked = dir_orgs_->issue_token(acme.id, "gone");
  ASSERT_TRUE(revoked);
  ASSERT_TRUE(dir_orgs_->revoke_token(acme.id, revoked->info.id).value());
  open();
  const auto p = who(token.secret);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->org_id, acme.id);
  EXPECT_FALSE(who(revoked->secret));
  auto org = dir_orgs_->find_org(acme.id);
  ASSERT_TRUE(org && *org);
  EXPECT_EQ((*org)->name, "acme");
  EXPECT_EQ((*org)->created_at_ms, acme.created_at_ms);
}

}  // namespace
}  // namespace dsb::tenancy
