// Encrypts secret fields at rest: AES-256-GCM (OpenSSL EVP), a fresh random
// nonce per value, associated data binding org, record and field, and the
// key id in each envelope so keys can rotate.
#pragma once

#include "core/failure.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dsb::store {

struct MasterKey {
  std::string id;                       // derived from the key bytes, stable
  std::array<std::uint8_t, 32> bytes{};
};

// Parses 64 hex characters or base64 of 32 bytes (surrounding whitespace ignored).
Result<MasterKey> parse_master_key(std::string_view text);

// A new random key, written as 64 hex characters by format_master_key.
MasterKey generate_master_key();
std::string format_master_key(const MasterKey& key);

// The associated data for one secret field of one record.
std::string secret_aad(std::string_view org_id, std::string_view record_id,
                       std::string_view field);

class Vault {
 public:
  // `keys` newest first; the newest seals, any of them opens.
  explicit Vault(std::vector<MasterKey> keys);

  // Returns an envelope (printable ASCII) holding key id, nonce, ciphertext, tag.
  Result<std::string> seal(std::string_view plaintext, std::string_view aad) const;

  // Fails (code SECRET_UNREADABLE) on an unknown key id, a malformed envelope,
  // a wrong aad or any tampering; never returns garbage.
  Result<std::string> open(std::string_view envelope, std::string_view aad) const;

  // True when `envelope` was sealed with the newest key (rekey skips it).
  bool is_current(std::string_view envelope) const;

  const std::string& newest_key_id() const { return keys_.front().id; }

 private:
  const MasterKey* find(std::string_view id) const;
  std::vector<MasterKey> keys_;
};

}  // namespace dsb::store
