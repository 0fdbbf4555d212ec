#include "drivers/mysql/mysql_wire.hpp"

#include <algorithm>
#include <cstring>

namespace dsb::drivers::mysql::wire {

namespace {

std::uint32_t read_u16(const unsigned char* p) {
  return p[0] | (std::uint32_t{p[1]} << 8);
}

}  // namespace

Header parse_header(const unsigned char* bytes) {
  return {bytes[0] | (std::uint32_t{bytes[1]} << 8) | (std::uint32_t{bytes[2]} << 16), bytes[3]};
}

void write_header(unsigned char* bytes, Header header) {
  bytes[0] = static_cast<unsigned char>(header.length & 0xff);
  bytes[1] = static_cast<unsigned char>((header.length >> 8) & 0xff);
  bytes[2] = static_cast<unsigned char>((header.length >> 16) & 0xff);
  bytes[3] = header.seq;
}

std::optional<Greeting> parse_greeting(std::span<const unsigned char> payload) {
  Greeting g;
  if (payload.empty()) return std::nullopt;
  if (payload[0] == 0xff) {  // ERR: code, then (maybe '#' + SQLSTATE) and the message
    if (payload.size() < 3) return std::nullopt;
    g.is_error = true;
    g.error_code = read_u16(payload.data() + 1);
    std::size_t text = 3;
    if (payload.size() > text && payload[text] == '#') text += 6;
    if (text < payload.size()) {
      g.error_message.assign(reinterpret_cast<const char*>(payload.data()) + text,
                             payload.size() - text);
    }
    return g;
  }
  if (payload[0] != 10) return std::nullopt;  // protocol version 10 only
  const auto version_end = std::find(payload.begin() + 1, payload.end(), 0);
  if (version_end == payload.end()) return std::nullopt;
  // thread id (4), auth data part 1 (8), filler (1), then the low capabilities
  const std::size_t at = static_cast<std::size_t>(version_end - payload.begin()) + 1 + 4 + 8 + 1;
  if (at + 2 > payload.size()) return std::nullopt;
  g.lower_caps_at = at;
  g.capabilities = read_u16(payload.data() + at);
  // charset (1), status (2), then the high capabilities
  if (at + 7 <= payload.size()) g.capabilities |= read_u16(payload.data() + at + 5) << 16;
  return g;
}

void clear_ssl_capability(std::span<unsigned char> payload, const Greeting& greeting) {
  payload[greeting.lower_caps_at] &= static_cast<unsigned char>(~(kClientSsl & 0xff));
  payload[greeting.lower_caps_at + 1] &= static_cast<unsigned char>(~(kClientSsl >> 8));
}

bool set_ssl_capability(std::span<unsigned char> payload) {
  if (payload.size() < 32) return false;
  const std::uint32_t caps = read_u16(payload.data());
  if ((caps & kClientProtocol41) == 0) return false;
  payload[1] |= static_cast<unsigned char>(kClientSsl >> 8);
  return true;
}

}  // namespace dsb::drivers::mysql::wire
