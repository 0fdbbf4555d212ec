// Cursor pagination over 1,200 datasources: every record exactly once, page
// sizes (default 50, max 500), bad limits, and the type filter.
#include "tests/integration/broker_fixture.hpp"

#include <algorithm>
#include <set>
#include <thread>

namespace dsb::test {
namespace {

constexpr int kRecords = 1200;
constexpr int kMysqlEvery = 10;  // every 10th record is mysql: 120 of them

json::object body_for(int i) {
  json::object b = pg_body("ds-" + std::to_string(i));
  if (i % kMysqlEvery == 0) {
    b["type"] = "mysql";
    b.erase("schema");
    b["port"] = 3306;
  }
  return b;
}

class PaginationTest : public BrokerTest {
 protected:
  void SetUp() override {
    start(without_rate_limit());  // 1,200 creates and their reads exceed one org's default budget
    org_ = create_org("acme");
    // Two writers on two connections; each record's id and type is kept.
    constexpr int kWriters = 2;
    std::vector<std::map<std::string, std::string>> made(kWriters);
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([&, w] {
        auto c = client(org_.token);
        for (int i = w; i < kRecords; i += kWriters) {
          auto r = c->post("/v1/datasources?test=false", body_for(i));
          if (r.status != 201) return;
          made[w][str(r.json(), "id")] = str(r.json(), "type");
        }
      });
    }
    for (auto& t : writers) t.join();
    for (auto& m : made) ids_.insert(m.begin(), m.end());
    ASSERT_EQ(ids_.size(), static_cast<std::size_t>(kRecords));
    c_ = client(org_.token);
  }

  // Follows next_cursor from the first page; returns every id seen (in order)
  // and the size of each page. Fails the test on a non-200 page.
  std::pair<std::vector<std::string>, std::vector<std::size_t>> walk(const std::string& query) {
    std::vector<std::string> seen;
    std::vector<std::size_t> sizes;
    std::string cursor;
    for (int guard = 0; guard < 2 * kRecords; ++guard) {
      std::string target = "/v1/datasources?" + query;
      if (!cursor.empty()) target += (query.empty() ? "" : "&") + std::string("cursor=") + cursor;
      auto r = c_->get(target);
      EXPECT_EQ(r.status, 200) << target << ": " << r.body;
      if (r.status != 200) break;
      const auto v = r.json();
      const auto& items = v.at("items").as_array();
      sizes.push_back(items.size());
      for (const auto& it : items) seen.push_back(str(it, "id"));
      const auto& next = v.at("next_cursor");
      if (next.is_null()) break;
      cursor = std::string(next.as_string());
      EXPECT_FALSE(items.empty()) << "a page with no items but a next_cursor";
    }
    return {seen, sizes};
  }

  std::set<std::string> ids_of(const std::string& type) const {
    std::set<std::string> out;
    for (const auto& [id, t] : ids_)
      if (type.empty() || t == type) out.insert(id);
    return out;
  }

  void expect_each_once(const std::vector<std::string>& seen, const std::set<std::string>& want) {
    const std::set<std::string> unique(seen.begin(), seen.end());
    EXPECT_EQ(unique.size(), seen.size()) << "a record was listed twice";
    EXPECT_EQ(unique, want);
    // Key order: ids are UUIDv7, so the list runs oldest to newest.
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  }

  OrgAccess org_;
  std::map<std::string, std::string> ids_;  // id -> type
  std::unique_ptr<HttpClient> c_;
};

TEST_F(PaginationTest, DefaultPageSizeIs50AndEveryRecordIsSeenOnce) {
  const auto [seen, sizes] = walk("");
  expect_each_once(seen, ids_of(""));
  ASSERT_EQ(sizes.size(), static_cast<std::size_t>(kRecords / 50));
  for (auto s : sizes) EXPECT_EQ(s, 50u);
}

TEST_F(PaginationTest, ExplicitLimitsUpTo500) {
  for (int limit : {1, 7, 500}) {
    if (limit == 1) {
      // A full walk at 1 per page is 1,200 requests; the first few suffice.
      auto r = c_->get("/v1/datasources?limit=1");
      ASSERT_EQ(r.status, 200);
      EXPECT_EQ(r.json().at("items").as_array().size(), 1u);
      EXPECT_FALSE(r.json().at("next_cursor").is_null());
      continue;
    }
    SCOPED_TRACE("limit " + std::to_string(limit));
    const auto [seen, sizes] = walk("limit=" + std::to_string(limit));
    expect_each_once(seen, ids_of(""));
    const std::size_t full = kRecords / limit;
    const std::size_t rest = kRecords % limit;
    ASSERT_EQ(sizes.size(), full + (rest ? 1 : 0));
    for (std::size_t i = 0; i < full; ++i) EXPECT_EQ(sizes[i], static_cast<std::size_t>(limit));
    if (rest) {
      EXPECT_EQ(sizes.back(), rest);
    }
  }
}

TEST_F(PaginationTest, BadLimitsAre400) {
  for (const char* bad : {"0", "501", "-1", "abc", "1.5", "10x", "99999999999999999999"}) {
    auto r = c_->get(std::string("/v1/datasources?limit=") + bad);
    expect_error(r, 400, "INVALID_REQUEST_BODY");
    EXPECT_TRUE(has_detail(r, "limit")) << bad << ": " << r.body;
  }
}

TEST_F(PaginationTest, TypeFilterWalksOnlyThatType) {
  {
    SCOPED_TRACE("mysql");
    const auto [seen, sizes] = walk("type=mysql");
    expect_each_once(seen, ids_of("mysql"));
    EXPECT_EQ(seen.size(), static_cast<std::size_t>(kRecords / kMysqlEvery));
    for (std::size_t i = 0; i + 1 < sizes.size(); ++i) EXPECT_EQ(sizes[i], 50u);
  }
  {
    SCOPED_TRACE("postgres, limit 500");
    const auto [seen, sizes] = walk("type=postgres&limit=500");
    expect_each_once(seen, ids_of("postgres"));
  }
  auto none = c_->get("/v1/datasources?type=snowflake");
  ASSERT_EQ(none.status, 200);
  EXPECT_TRUE(none.json().at("items").as_array().empty());
  EXPECT_TRUE(none.json().at("next_cursor").is_null());
}

TEST_F(PaginationTest, PagesStayConsistentWhileRecordsAreDeleted) {
  // Deleting records already passed does not disturb the rest of the walk.
  auto first = c_->get("/v1/datasources?limit=100");
  ASSERT_EQ(first.status, 200);
  std::set<std::string> seen;
  const auto first_v = first.json();
  for (const auto& it : first_v.at("items").as_array()) {
    seen.insert(str(it, "id"));
    ASSERT_EQ(c_->del("/v1/datasources/" + str(it, "id")).status, 204);
  }
  std::string cursor(first_v.at("next_cursor").as_string());
  for (;;) {
    auto r = c_->get("/v1/datasources?limit=500&cursor=" + cursor);
    ASSERT_EQ(r.status, 200);
    const auto v = r.json();
    for (const auto& it : v.at("items").as_array()) EXPECT_TRUE(seen.insert(str(it, "id")).second);
    if (v.at("next_cursor").is_null()) break;
    cursor = std::string(v.at("next_cursor").as_string());
  }
  EXPECT_EQ(seen, ids_of(""));
}

}  // namespace
}  // namespace dsb::test
