// The few pieces of the MySQL client/server protocol the TLS relay needs:
// packet headers, the server greeting, the SSLRequest packet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace dsb::drivers::mysql::wire {

constexpr std::uint32_t kClientProtocol41 = 0x0200;
constexpr std::uint32_t kClientSsl = 0x0800;
constexpr std::size_t kHeaderSize = 4;
constexpr std::uint32_t kMaxGreeting = 64 * 1024;

// 3-byte little-endian payload length and a sequence id.
struct Header {
  std::uint32_t length = 0;
  std::uint8_t seq = 0;
};
Header parse_header(const unsigned char* bytes);
void write_header(unsigned char* bytes, Header header);

struct Greeting {
  bool is_error = false;      // the server answered with an ERR packet
  unsigned error_code = 0;    // when is_error
  std::string error_message;  // when is_error
  std::uint32_t capabilities = 0;
  std::size_t lower_caps_at = 0;  // offset of the low 16 capability bits in the payload
};

// Parses the payload of the server's first packet; nullopt when malformed.
std::optional<Greeting> parse_greeting(std::span<const unsigned char> payload);

// Clears CLIENT_SSL in a greeting payload (so a client will not ask for TLS).
void clear_ssl_capability(std::span<unsigned char> payload, const Greeting& greeting);

// Sets CLIENT_SSL in a HandshakeResponse41 payload; false when it is not one.
bool set_ssl_capability(std::span<unsigned char> payload);

}  // namespace dsb::drivers::mysql::wire
