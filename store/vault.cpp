#include "store/vault.hpp"

#include "core/ids.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <optional>
#include <stdexcept>

// Envelope: "v1." + key id (16 hex) + "." + base64url(nonce | ciphertext | tag),
// unpadded. The header "v1.<key id>." is authenticated with the caller's aad,
// so neither the version nor the key id can be swapped without detection.
namespace dsb::store {
namespace {

constexpr std::string_view kVersion = "v1.";
constexpr std::size_t kKeyIdLen = 16;
constexpr std::size_t kHeaderLen = kVersion.size() + kKeyIdLen + 1;
constexpr std::size_t kNonceLen = 12;
constexpr std::size_t kTagLen = 16;
constexpr std::size_t kMaxPlaintext = 16u << 20;  // secrets are small; keeps lengths in int range

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kB64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Wipes a std::string's whole buffer when it leaves scope: decoded keys,
// plaintext that failed authentication, and the short-string residue a
// moved-from string keeps after its value was returned.
struct Cleanser {
  std::string& s;
  ~Cleanser() { OPENSSL_cleanse(s.data(), s.capacity()); }
};

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

// Fetched once: the implicit fetch behind EVP_aes_256_gcm() costs a provider
// lookup on every init.
const EVP_CIPHER* aes_256_gcm() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  if (cipher == nullptr) throw std::runtime_error("OpenSSL has no AES-256-GCM");
  return cipher;
}

Failure unreadable(std::string why) {
  return fail(500, "SECRET_UNREADABLE", "a stored secret cannot be decrypted: " + std::move(why));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decoding tables: 0..63 for alphabet characters, -1 for anything else.
using B64Table = std::array<std::int8_t, 256>;

constexpr B64Table make_b64_table(char c62, char c63) {
  B64Table t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 26; ++i) {
    t['A' + i] = static_cast<std::int8_t>(i);
    t['a' + i] = static_cast<std::int8_t>(26 + i);
  }
  for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<std::int8_t>(52 + i);
  t[static_cast<unsigned char>(c62)] = 62;
  t[static_cast<unsigned char>(c63)] = 63;
  return t;
}

constexpr B64Table kB64StdTable = make_b64_table('+', '/');
constexpr B64Table kB64UrlTable = make_b64_table('-', '_');

// Appends unpadded base64url of p[0..n) to `out`.
void base64url_append(std::string& out, const unsigned char* p, std::size_t n) {
  const std::size_t start = out.size();
  out.resize(start + (n * 4 + 2) / 3);
  char* o = out.data() + start;
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const std::uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    *o++ = kB64Url[v >> 18];
    *o++ = kB64Url[(v >> 12) & 63];
    *o++ = kB64Url[(v >> 6) & 63];
    *o++ = kB64Url[v & 63];
  }
  if (n - i == 1) {
    const std::uint32_t v = p[i] << 16;
    *o++ = kB64Url[v >> 18];
    *o++ = kB64Url[(v >> 12) & 63];
  } else if (n - i == 2) {
    const std::uint32_t v = (p[i] << 16) | (p[i + 1] << 8);
    *o++ = kB64Url[v >> 18];
    *o++ = kB64Url[(v >> 12) & 63];
    *o++ = kB64Url[(v >> 6) & 63];
  }
}

// Strict, canonical decoding of unpadded base64: a string that decodes has
// exactly one spelling, so changing any character changes the bytes.
std::optional<std::string> base64_decode(std::string_view in, bool url) {
  if (in.size() % 4 == 1) return std::nullopt;
  const B64Table& table = url ? kB64UrlTable : kB64StdTable;
  std::string out(in.size() * 3 / 4, '\0');
  std::size_t o = 0;
  std::uint32_t acc = 0;
  int bits = 0;
  bool ok = true;
  for (char c : in) {
    const int v = table[static_cast<unsigned char>(c)];
    ok = ok && v >= 0;
    acc = (acc << 6) | static_cast<std::uint32_t>(v & 63);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  ok = ok && (acc & ((1u << bits) - 1)) == 0;  // unused trailing bits must be zero
  OPENSSL_cleanse(&acc, sizeof acc);
  if (!ok) {
    OPENSSL_cleanse(out.data(), out.size());
    return std::nullopt;
  }
  return out;
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view ws = " \t\r\n\f\v";
  const auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

std::string key_id_of(const std::array<std::uint8_t, 32>& bytes) {
  const std::string_view raw(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return sha256_hex(raw).substr(0, kKeyIdLen);
}

MasterKey make_key(const unsigned char* p) {
  MasterKey k;
  std::copy(p, p + k.bytes.size(), k.bytes.begin());
  k.id = key_id_of(k.bytes);
  return k;
}

struct ParsedEnvelope {
  std::string_view header;  // "v1.<key id>."
  std::string_view key_id;
  std::string_view body;  // base64url
};

std::optional<ParsedEnvelope> split_envelope(std::string_view env) {
  if (env.size() <= kHeaderLen || env.substr(0, kVersion.size()) != kVersion ||
      env[kHeaderLen - 1] != '.')
    return std::nullopt;
  const std::string_view id = env.substr(kVersion.size(), kKeyIdLen);
  for (char c : id)
    if (hex_value(c) < 0 || (c >= 'A' && c <= 'F')) return std::nullopt;
  return ParsedEnvelope{env.substr(0, kHeaderLen), id, env.substr(kHeaderLen)};
}

bool add_aad(EVP_CIPHER_CTX* ctx, std::string_view part, bool encrypt) {
  if (part.empty()) return true;
  int len = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(part.data());
  const int n = static_cast<int>(part.size());
  return encrypt ? EVP_EncryptUpdate(ctx, nullptr, &len, p, n) == 1
                 : EVP_DecryptUpdate(ctx, nullptr, &len, p, n) == 1;
}

}  // namespace

Result<MasterKey> parse_master_key(std::string_view text) {
  const std::string_view t = trim(text);
  if (t.size() == 64) {
    // 64 characters is only ever meant as hex (64 base64 characters are 48 bytes).
    std::array<unsigned char, 32> raw{};
    bool ok = true;
    for (std::size_t i = 0; i < raw.size() && ok; ++i) {
      const int hi = hex_value(t[2 * i]);
      const int lo = hex_value(t[2 * i + 1]);
      ok = hi >= 0 && lo >= 0;
      if (ok) raw[i] = static_cast<unsigned char>((hi << 4) | lo);
    }
    MasterKey k = ok ? make_key(raw.data()) : MasterKey{};
    OPENSSL_cleanse(raw.data(), raw.size());
    if (ok) return k;
    return fail(500, "INVALID_MASTER_KEY",
                "the master key has 64 characters but they are not all hex digits");
  }
  std::string_view b64 = t;
  while (!b64.empty() && b64.back() == '=') b64.remove_suffix(1);
  if (t.size() - b64.size() <= 2) {
    // Standard alphabet first, then the URL-safe one (they differ only in two characters).
    for (bool url : {false, true}) {
      std::optional<std::string> raw = base64_decode(b64, url);
      if (!raw) continue;
      Cleanser wipe{*raw};
      if (raw->size() == 32) return make_key(reinterpret_cast<const unsigned char*>(raw->data()));
      return fail(500, "INVALID_MASTER_KEY",
                  "the master key is base64 of " + std::to_string(raw->size()) +
                      " bytes; it must be 32 bytes (64 hex characters or 44 base64 characters)");
    }
  }
  return fail(500, "INVALID_MASTER_KEY",
              "the master key must be 64 hex characters or base64 of 32 bytes (got " +
                  std::to_string(t.size()) + " characters that are neither)");
}

MasterKey generate_master_key() {
  std::array<unsigned char, 32> raw{};
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1)
    throw std::runtime_error("RAND_bytes failed");
  MasterKey k = make_key(raw.data());
  OPENSSL_cleanse(raw.data(), raw.size());
  return k;
}

std::string format_master_key(const MasterKey& key) {
  std::string s(key.bytes.size() * 2, '0');
  for (std::size_t i = 0; i < key.bytes.size(); ++i) {
    s[2 * i] = kHexDigits[key.bytes[i] >> 4];
    s[2 * i + 1] = kHexDigits[key.bytes[i] & 0xF];
  }
  return s;
}

std::string secret_aad(std::string_view org_id, std::string_view record_id,
                       std::string_view field) {
  // Each part is length-prefixed, so ("ab", "c") and ("a", "bc") differ.
  std::string aad = "dsb.secret.v1";
  for (std::string_view part : {org_id, record_id, field}) {
    aad += '|';
    aad += std::to_string(part.size());
    aad += ':';
    aad += part;
  }
  return aad;
}

Vault::Vault(std::vector<MasterKey> keys) : keys_(std::move(keys)) {
  if (keys_.empty()) throw std::invalid_argument("Vault needs at least one master key");
  for (MasterKey& k : keys_) k.id = key_id_of(k.bytes);  // never trust a caller-set id
}

const MasterKey* Vault::find(std::string_view id) const {
  for (const MasterKey& k : keys_)
    if (k.id == id) return &k;
  return nullptr;
}

Result<std::string> Vault::seal(std::string_view plaintext, std::string_view aad) const {
  if (plaintext.size() > kMaxPlaintext || aad.size() > kMaxPlaintext)
    return internal_error("a secret is too large to seal");
  const MasterKey& key = keys_.front();
  const std::string header = std::string(kVersion) + key.id + ".";

  // raw = nonce | ciphertext | tag
  std::string raw(kNonceLen + plaintext.size() + kTagLen, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (RAND_bytes(out, static_cast<int>(kNonceLen)) != 1)
    return internal_error("no randomness for a nonce");

  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  int total = 0;
  if (!ctx || EVP_EncryptInit_ex2(ctx.get(), aes_256_gcm(), key.bytes.data(), out, nullptr) != 1 ||
      !add_aad(ctx.get(), header, true) || !add_aad(ctx.get(), aad, true))
    return internal_error("encryption failed");
  if (!plaintext.empty()) {
    if (EVP_EncryptUpdate(ctx.get(), out + kNonceLen, &len,
                          reinterpret_cast<const unsigned char*>(plaintext.data()),
                          static_cast<int>(plaintext.size())) != 1)
      return internal_error("encryption failed");
    total = len;
  }
  if (EVP_EncryptFinal_ex(ctx.get(), out + kNonceLen + total, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagLen),
                          out + kNonceLen + plaintext.size()) != 1)
    return internal_error("encryption failed");
  std::string envelope = header;
  base64url_append(envelope, out, raw.size());
  return envelope;
}

Result<std::string> Vault::open(std::string_view envelope, std::string_view aad) const {
  const std::optional<ParsedEnvelope> env = split_envelope(envelope);
  if (!env) return unreadable("malformed envelope");
  const MasterKey* key = find(env->key_id);
  if (key == nullptr)
    return unreadable("sealed with an unknown key (id " + std::string(env->key_id) + ")");
  const std::optional<std::string> raw = base64_decode(env->body, true);
  if (!raw || raw->size() < kNonceLen + kTagLen ||
      raw->size() > kMaxPlaintext + kNonceLen + kTagLen)
    return unreadable("malformed envelope");

  const auto* in = reinterpret_cast<const unsigned char*>(raw->data());
  const std::size_t ct_len = raw->size() - kNonceLen - kTagLen;
  std::string plain(ct_len, '\0');
  Cleanser wipe{plain};
  auto* out = reinterpret_cast<unsigned char*>(plain.data());

  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex2(ctx.get(), aes_256_gcm(), key->bytes.data(), in, nullptr) != 1 ||
      !add_aad(ctx.get(), env->header, false) || !add_aad(ctx.get(), aad, false))
    return internal_error("decryption failed");
  if (ct_len > 0 &&
      EVP_DecryptUpdate(ctx.get(), out, &len, in + kNonceLen, static_cast<int>(ct_len)) != 1)
    return unreadable("authentication failed");
  // The tag buffer is const in spirit; OpenSSL's ctrl takes void*.
  unsigned char tag[kTagLen];
  std::copy(in + kNonceLen + ct_len, in + raw->size(), tag);
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagLen), tag) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), out + len, &len) != 1)
    return unreadable("authentication failed (wrong record or field, or tampered)");
  return plain;  // the result is built before `wipe` runs on the moved-from string
}

bool Vault::is_current(std::string_view envelope) const {
  const std::optional<ParsedEnvelope> env = split_envelope(envelope);
  return env && env->key_id == keys_.front().id;
}

}  // namespace dsb::store
