// Identifiers and random secrets: UUIDv7 shape and ordering, base62, hex,
// SHA-256 and constant-time comparison.
#include "core/ids.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <set>
#include <thread>

namespace dsb {
namespace {

std::int64_t uuid_ms(const std::string& u) {
  return std::stoll(u.substr(0, 8) + u.substr(9, 4), nullptr, 16);
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(Uuid, IsAVersion7UuidCarryingTheTime) {
  const std::regex shape("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  const auto before = now_ms();
  const std::string u = new_uuid();
  const auto after = now_ms();
  EXPECT_TRUE(std::regex_match(u, shape)) << u;
  EXPECT_TRUE(looks_like_uuid(u));
  EXPECT_GE(uuid_ms(u), before);
  EXPECT_LE(uuid_ms(u), after);
}

TEST(Uuid, OrdersByCreationTimeAcrossMilliseconds) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(new_uuid());
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  for (std::size_t i = 1; i < ids.size(); ++i) EXPECT_LT(ids[i - 1], ids[i]) << i;
}

TEST(Uuid, IsUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 20000; ++i) seen.insert(new_uuid());
  EXPECT_EQ(seen.size(), 20000u);
}

TEST(Uuid, LooksLikeUuidRejectsOtherShapes) {
  EXPECT_TRUE(looks_like_uuid("01890000-0000-7000-8000-000000000000"));
  for (const char* bad :
       {"", "01890000-0000-7000-8000-00000000000", "01890000-0000-7000-8000-0000000000000",
        "01890000000007000800000000000000000", "01890000-0000-7000-8000_000000000000",
        "0189000G-0000-7000-8000-000000000000", "0189000A-0000-7000-8000-000000000000",
        "../../../../etc/passwd/../../../x.y"})
    EXPECT_FALSE(looks_like_uuid(bad)) << bad;
}

TEST(Base62, LengthAndAlphabet) {
  for (std::size_t n : {0u, 1u, 40u, 1000u}) EXPECT_EQ(random_base62(n).size(), n);
  const std::string s = random_base62(20000);
  std::set<char> chars(s.begin(), s.end());
  EXPECT_EQ(chars.size(), 62u) << "20,000 draws should use every character";
  for (char c : chars) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << c;
  EXPECT_NE(random_base62(40), random_base62(40));
}

TEST(Base62, IsRoughlyUniform) {
  const std::string s = random_base62(62 * 2000);
  std::map<char, int> counts;
  for (char c : s) ++counts[c];
  for (const auto& [c, n] : counts) {
    EXPECT_GT(n, 1600) << c;  // expected 2000 each; far outside chance when biased
    EXPECT_LT(n, 2400) << c;
  }
}

TEST(Hex, RandomHexAndSha256) {
  const std::string h = random_hex(16);
  EXPECT_TRUE(std::regex_match(h, std::regex("[0-9a-f]{32}"))) << h;
  EXPECT_NE(random_hex(16), h);
  EXPECT_EQ(random_hex(0), "");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(std::string("a\0b", 3)), sha256_hex(std::string("a\0b", 3)));
  EXPECT_NE(sha256_hex(std::string("a\0b", 3)), sha256_hex("a"));
}

TEST(ConstantTimeEqual, ComparesWholeStrings) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
  EXPECT_FALSE(constant_time_equal("", "a"));
}

}  // namespace
}  // namespace dsb
