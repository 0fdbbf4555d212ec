#include "drivers/ssh/ssh_fingerprint.hpp"

#include <openssl/evp.h>

namespace dsb::drivers::ssh {

namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

std::string fingerprint_from_sha256(const unsigned char* digest) {
  unsigned char text[48] = {};  // 4 * ceil(32 / 3) + NUL
  const int n = EVP_EncodeBlock(text, digest, 32);
  std::string b64(reinterpret_cast<const char*>(text), static_cast<std::size_t>(n));
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return "SHA256:" + b64;
}

bool fingerprint_matches(std::string_view pin, std::string_view fingerprint) {
  pin = trimmed(pin);
  while (!pin.empty() && pin.back() == '=') pin.remove_suffix(1);
  return !pin.empty() && pin == fingerprint;
}

}  // namespace dsb::drivers::ssh
