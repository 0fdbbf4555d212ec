// The free-space floor in front of the real RocksDB store, on this machine's
// real disk: a floor of zero never refuses, a floor larger than any disk
// refuses every write that adds data but lets reads and deletes through.
#include "store/free_space_guard.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace dsb::store {
namespace {

class FreeSpaceGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "dsb-floor-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Store> open(std::uint64_t floor_bytes) {
    auto rocks = open_rocks_store(dir_ + "/db");
    EXPECT_TRUE(rocks) << rocks.error().message;
    return guard_free_space(std::move(*rocks), dir_ + "/db", floor_bytes);
  }

  static Batch put(const std::string& key) {
    Batch b;
    b.put(Family::datasources, key, "value");
    return b;
  }

  std::string dir_;
};

TEST_F(FreeSpaceGuardTest, WithoutAFloorWritesPass) {
  auto store = open(0);
  ASSERT_TRUE(store->write(put("org/a")));
  auto got = store->get(Family::datasources, "org/a");
  ASSERT_TRUE(got && *got);
  EXPECT_EQ(**got, "value");
}

TEST_F(FreeSpaceGuardTest, BelowTheFloorWritesAreRefusedReadsAndDeletesPass) {
  {
    auto store = open(0);
    ASSERT_TRUE(store->write(put("org/a")));
  }
  constexpr std::uint64_t kOnePetabyte = 1ULL << 50;
  auto store = open(kOnePetabyte);
  auto refused = store->write(put("org/b"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().status, 507);
  EXPECT_EQ(refused.error().code, "STORAGE_FULL");
  EXPECT_NE(refused.error().message.find("storage.min_free_mb"), std::string::npos);
  auto absent = store->get(Family::datasources, "org/b");
  ASSERT_TRUE(absent);
  EXPECT_FALSE(*absent);

  auto kept = store->get(Family::datasources, "org/a");
  ASSERT_TRUE(kept && *kept);
  Batch erase;
  erase.erase(Family::datasources, "org/a");
  EXPECT_TRUE(store->write(erase));
  auto gone = store->get(Family::datasources, "org/a");
  ASSERT_TRUE(gone);
  EXPECT_FALSE(*gone);
}

}  // namespace
}  // namespace dsb::store
