#include "store/vault.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace dsb::store {
namespace {

const std::string kAad = secret_aad("org-1", "ds-1", "password");

MasterKey key_from_hex(const std::string& hex) {
  return parse_master_key(hex).value();
}

void expect_unreadable(const Result<std::string>& r) {
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "SECRET_UNREADABLE");
  EXPECT_EQ(r.error().status, 500);
}

TEST(Vault, RoundTrip) {
  Vault vault({generate_master_key()});
  const std::string secret = "s3cr3t p@ss \xC3\xA9\n";
  const std::string env = vault.seal(secret, kAad).value();
  EXPECT_EQ(vault.open(env, kAad).value(), secret);
}

TEST(Vault, EmptyPlaintextRoundTrips) {
  Vault vault({generate_master_key()});
  const std::string env = vault.seal("", kAad).value();
  EXPECT_EQ(vault.open(env, kAad).value(), "");
}

TEST(Vault, LargePlaintextRoundTrips) {
  Vault vault({generate_master_key()});
  const std::string pem(70000, 'k');
  EXPECT_EQ(vault.open(vault.seal(pem, kAad).value(), kAad).value(), pem);
}

TEST(Vault, EnvelopeIsPrintableAndCarriesKeyId) {
  Vault vault({generate_master_key()});
  // '@' and '!' are outside base64url, so finding them would mean plaintext leaked.
  const std::string env = vault.seal("p@ss!", kAad).value();
  EXPECT_EQ(env.rfind("v1." + vault.newest_key_id() + ".", 0), 0u) << env;
  for (char c : env) EXPECT_TRUE(c > 0x20 && c < 0x7f) << env;
  EXPECT_EQ(env.find_first_of("@!"), std::string::npos) << env;
}

TEST(Vault, EachSealDiffers) {
  Vault vault({generate_master_key()});
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) seen.insert(vault.seal("same", kAad).value());
  EXPECT_EQ(seen.size(), 50u);
}

TEST(Vault, WrongAadFails) {
  Vault vault({generate_master_key()});
  const std::string env = vault.seal("pw", kAad).value();
  expect_unreadable(vault.open(env, secret_aad("org-1", "ds-2", "password")));
  expect_unreadable(vault.open(env, secret_aad("org-1", "ds-1", "ssh.password")));
  expect_unreadable(vault.open(env, secret_aad("org-2", "ds-1", "password")));
  expect_unreadable(vault.open(env, ""));
}

TEST(Vault, SecretAadIsUnambiguous) {
  EXPECT_NE(secret_aad("ab", "c", "d"), secret_aad("a", "bc", "d"));
  EXPECT_NE(secret_aad("a", "b|1:c", "d"), secret_aad("a|1:b", "c", "d"));
  EXPECT_NE(secret_aad("", "", "x"), secret_aad("", "x", ""));
  EXPECT_EQ(secret_aad("o", "r", "f"), secret_aad("o", "r", "f"));
}

TEST(Vault, FlippingAnyByteFails) {
  Vault vault({generate_master_key()});
  const std::string env = vault.seal("correct horse battery staple", kAad).value();
  for (std::size_t i = 0; i < env.size(); ++i) {
    for (unsigned char mask : {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80}) {
      std::string bad = env;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      const Result<std::string> r = vault.open(bad, kAad);
      ASSERT_FALSE(r.has_value()) << "byte " << i << " mask " << int(mask);
      EXPECT_EQ(r.error().code, "SECRET_UNREADABLE");
    }
  }
}

TEST(Vault, TruncatedOrExtendedFails) {
  Vault vault({generate_master_key()});
  const std::string env = vault.seal("pw", kAad).value();
  for (std::size_t n = 0; n < env.size(); ++n)
    expect_unreadable(vault.open(env.substr(0, n), kAad));
  expect_unreadable(vault.open(env + "A", kAad));
  expect_unreadable(vault.open(env + "AA", kAad));
  expect_unreadable(vault.open(env + "=", kAad));
  expect_unreadable(vault.open(" " + env, kAad));
}

TEST(Vault, GarbageFails) {
  Vault vault({generate_master_key()});
  for (const char* bad :
       {"", "v1.", "v1..", "v2.0123456789abcdef.AAAA", "plaintext",
        "v1.0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})
    expect_unreadable(vault.open(bad, kAad));
  const std::string forged = "v1." + vault.newest_key_id() + "." + std::string(60, 'A');
  expect_unreadable(vault.open(forged, kAad));
}

TEST(Vault, UnknownKeyIdFails) {
  Vault a({generate_master_key()});
  Vault b({generate_master_key()});
  const std::string env = a.seal("pw", kAad).value();
  const Result<std::string> r = b.open(env, kAad);
  expect_unreadable(r);
  EXPECT_NE(r.error().message.find("unknown key"), std::string::npos);
  EXPECT_EQ(r.error().message.find("pw"), std::string::npos);
}

TEST(Vault, FailureMessagesHoldNoSecret) {
  Vault vault({generate_master_key()});
  const std::string env = vault.seal("hunter2hunter2", kAad).value();
  const Result<std::string> r = vault.open(env, "other");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message.find("hunter2"), std::string::npos);
}

TEST(Vault, Rotation) {
  const MasterKey a = generate_master_key();
  const MasterKey b = generate_master_key();
  const std::string old_env = Vault({a}).seal("pw", kAad).value();

  Vault rotated({b, a});
  EXPECT_EQ(rotated.newest_key_id(), b.id);
  EXPECT_EQ(rotated.open(old_env, kAad).value(), "pw");
  EXPECT_FALSE(rotated.is_current(old_env));

  const std::string resealed = rotated.seal(rotated.open(old_env, kAad).value(), kAad).value();
  EXPECT_TRUE(rotated.is_current(resealed));

  Vault only_b({b});
  EXPECT_EQ(only_b.open(resealed, kAad).value(), "pw");
  expect_unreadable(only_b.open(old_env, kAad));
}

TEST(Vault, IsCurrentOnGarbage) {
  Vault vault({generate_master_key()});
  EXPECT_FALSE(vault.is_current(""));
  EXPECT_FALSE(vault.is_current("v1.zz"));
}

TEST(Vault, CallerSetKeyIdIsIgnored) {
  MasterKey k = generate_master_key();
  const std::string real = k.id;
  k.id = "ffffffffffffffff";
  Vault vault({k});
  EXPECT_EQ(vault.newest_key_id(), real);
}

TEST(Vault, NeedsAKey) {
  EXPECT_THROW(Vault({}), std::invalid_argument);
}

TEST(MasterKey, IdIsSha256Prefix) {
  // SHA-256 of 32 zero bytes.
  const MasterKey k = key_from_hex(std::string(64, '0'));
  EXPECT_EQ(k.id, "66687aadf862bd77");
  EXPECT_EQ(k.id.size(), 16u);
}

TEST(MasterKey, GenerateFormatParse) {
  const MasterKey k = generate_master_key();
  const std::string text = format_master_key(k);
  EXPECT_EQ(text.size(), 64u);
  const MasterKey back = parse_master_key(text).value();
  EXPECT_EQ(back.bytes, k.bytes);
  EXPECT_EQ(back.id, k.id);
  EXPECT_NE(generate_master_key().bytes, k.bytes);
}

TEST(MasterKey, ParsesHexAndBase64) {
  const std::string hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  const MasterKey from_hex = parse_master_key(hex).value();
  for (std::size_t i = 0; i < 32; ++i) EXPECT_EQ(from_hex.bytes[i], i);

  EXPECT_EQ(parse_master_key("  \n" + hex + "\r\n\t").value().bytes, from_hex.bytes);
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(parse_master_key(upper).value().bytes, from_hex.bytes);

  // base64 of bytes 0..31, standard alphabet, padded and unpadded, and URL-safe.
  const std::string b64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
  EXPECT_EQ(parse_master_key(b64).value().bytes, from_hex.bytes);
  EXPECT_EQ(parse_master_key(" " + b64 + "\n").value().bytes, from_hex.bytes);
  EXPECT_EQ(parse_master_key(b64.substr(0, 43)).value().bytes, from_hex.bytes);
  // 0xfb 0xff ... uses '+' and '/' in the standard alphabet.
  const std::string b64_std = "+/////////////////////////////////////////8=";
  const std::string b64_url = "-_________________________________________8=";
  EXPECT_EQ(parse_master_key(b64_std).value().bytes, parse_master_key(b64_url).value().bytes);
}

TEST(MasterKey, RejectsBadInput) {
  for (const std::string& bad :
       {std::string(), std::string("   "), std::string(63, 'a'), std::string(65, 'a'),
        std::string(62, 'a') + "zz", std::string("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"),
        std::string("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8fHw=="),
        std::string("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGx*dHh8="),
        std::string("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8===")}) {
    const Result<MasterKey> r = parse_master_key(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, "INVALID_MASTER_KEY");
    EXPECT_NE(r.error().message.find("master key"), std::string::npos);
    if (bad.size() > 8) {
      EXPECT_EQ(r.error().message.find(bad), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace dsb::store
