// The MySQL protocol pieces the TLS relay relies on.
#include "drivers/mysql/mysql_wire.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace dsb::drivers::mysql::wire {
namespace {

// A MariaDB 10.11 greeting payload (protocol 10).
std::vector<unsigned char> greeting_payload(std::uint16_t low_caps, std::uint16_t high_caps) {
  std::string p =
      "\x0a"
      "5.5.5-10.11.19-MariaDB";
  p += '\0';
  p += std::string("\x01\0\0\0", 4);  // thread id
  p += "abcdefgh";                    // auth data, part 1
  p += '\0';                          // filler
  p += static_cast<char>(low_caps & 0xff);
  p += static_cast<char>(low_caps >> 8);
  p += '\x2d';                    // charset
  p += std::string("\x02\0", 2);  // status
  p += static_cast<char>(high_caps & 0xff);
  p += static_cast<char>(high_caps >> 8);
  p += '\x15';
  p += std::string(10, '\0');
  p += "ijklmnopqrst";
  p += '\0';
  p += "mysql_native_password";
  p += '\0';
  return std::vector<unsigned char>(p.begin(), p.end());
}

TEST(MysqlWire, HeadersRoundTrip) {
  unsigned char bytes[4];
  write_header(bytes, {0x123456, 7});
  const Header h = parse_header(bytes);
  EXPECT_EQ(h.length, 0x123456u);
  EXPECT_EQ(h.seq, 7);
}

TEST(MysqlWire, ReadsCapabilitiesAndClearsTls) {
  auto payload = greeting_payload(0xfffe, 0x81bf);
  const auto g = parse_greeting(payload);
  ASSERT_TRUE(g);
  EXPECT_FALSE(g->is_error);
  EXPECT_EQ(g->capabilities, 0x81bffffeu);
  EXPECT_NE(g->capabilities & kClientSsl, 0u);
  clear_ssl_capability(payload, *g);
  const auto cleared = parse_greeting(payload);
  ASSERT_TRUE(cleared);
  EXPECT_EQ(cleared->capabilities, 0x81bffffeu & ~kClientSsl);
}

TEST(MysqlWire, ReadsAnErrorGreeting) {
  const std::string text = "Too many connections";
  const std::string packet = "\xff\x10\x04" + text;  // 1040
  const std::vector<unsigned char> payload(packet.begin(), packet.end());
  const auto g = parse_greeting(payload);
  ASSERT_TRUE(g);
  EXPECT_TRUE(g->is_error);
  EXPECT_EQ(g->error_code, 1040u);
  EXPECT_EQ(g->error_message, text);
}

TEST(MysqlWire, RejectsWhatIsNotAGreeting) {
  EXPECT_FALSE(parse_greeting(std::vector<unsigned char>{}));
  EXPECT_FALSE(parse_greeting(std::vector<unsigned char>{'S', 'S', 'H', '-'}));
  EXPECT_FALSE(parse_greeting(std::vector<unsigned char>{10, 'v', 0, 1}));
}

TEST(MysqlWire, SetsTlsInAHandshakeResponse) {
  std::vector<unsigned char> response(40, 0);
  response[1] = static_cast<unsigned char>(kClientProtocol41 >> 8);
  ASSERT_TRUE(set_ssl_capability(response));
  EXPECT_EQ(response[1], static_cast<unsigned char>((kClientProtocol41 | kClientSsl) >> 8));
  std::vector<unsigned char> old_style(40, 0);
  EXPECT_FALSE(set_ssl_capability(old_style));
  std::vector<unsigned char> short_one(8, 0);
  EXPECT_FALSE(set_ssl_capability(short_one));
}

}  // namespace
}  // namespace dsb::drivers::mysql::wire
