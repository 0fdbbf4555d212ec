// Sealing and opening the secrets of one typical datasource: a password, a
// TLS client key (~1.7 KB PEM) and an SSH private key (~400 B OpenSSH ed25519).
#include "store/vault.hpp"

#include <benchmark/benchmark.h>

#include <string>

namespace {

using dsb::store::secret_aad;
using dsb::store::Vault;

std::string pem_of(std::size_t body_bytes, const char* label) {
  std::string pem = std::string("-----BEGIN ") + label + "-----\n";
  for (std::size_t i = 0; i < body_bytes; ++i) {
    pem += static_cast<char>('A' + i % 26);
    if (i % 64 == 63) pem += '\n';
  }
  return pem + "\n-----END " + label + "-----\n";
}

struct Secret {
  std::string aad;
  std::string plaintext;
};

std::vector<Secret> datasource_secrets() {
  const std::string org = "0190d7a2-7c1e-7000-8000-00000000a001";
  const std::string ds = "0190d7a2-7c1e-7000-8000-00000000d001";
  return {{secret_aad(org, ds, "password"), "correct-horse-battery-staple"},
          {secret_aad(org, ds, "tls.key"), pem_of(1650, "PRIVATE KEY")},
          {secret_aad(org, ds, "ssh.private_key"), pem_of(350, "OPENSSH PRIVATE KEY")}};
}

void BM_SealOpenDatasource(benchmark::State& state) {
  const Vault vault({dsb::store::generate_master_key()});
  const std::vector<Secret> secrets = datasource_secrets();
  std::size_t bytes = 0;
  for (auto _ : state) {
    for (const Secret& s : secrets) {
      std::string env = vault.seal(s.plaintext, s.aad).value();
      std::string back = vault.open(env, s.aad).value();
      benchmark::DoNotOptimize(back.data());
      bytes += s.plaintext.size();
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_SealOpenDatasource);

void BM_Seal(benchmark::State& state, std::size_t index) {
  const Vault vault({dsb::store::generate_master_key()});
  const Secret s = datasource_secrets()[index];
  for (auto _ : state) {
    std::string env = vault.seal(s.plaintext, s.aad).value();
    benchmark::DoNotOptimize(env.data());
  }
}
BENCHMARK_CAPTURE(BM_Seal, password, 0);
BENCHMARK_CAPTURE(BM_Seal, tls_key_pem, 1);
BENCHMARK_CAPTURE(BM_Seal, ssh_key, 2);

void BM_Open(benchmark::State& state, std::size_t index) {
  const Vault vault({dsb::store::generate_master_key()});
  const Secret s = datasource_secrets()[index];
  const std::string env = vault.seal(s.plaintext, s.aad).value();
  for (auto _ : state) {
    std::string back = vault.open(env, s.aad).value();
    benchmark::DoNotOptimize(back.data());
  }
}
BENCHMARK_CAPTURE(BM_Open, password, 0);
BENCHMARK_CAPTURE(BM_Open, tls_key_pem, 1);
BENCHMARK_CAPTURE(BM_Open, ssh_key, 2);

// A rejected envelope (wrong aad) costs the same decryption plus the failure.
void BM_OpenWrongAad(benchmark::State& state) {
  const Vault vault({dsb::store::generate_master_key()});
  const Secret s = datasource_secrets()[0];
  const std::string env = vault.seal(s.plaintext, s.aad).value();
  for (auto _ : state) {
    auto r = vault.open(env, "other");
    benchmark::DoNotOptimize(r.has_value());
  }
}
BENCHMARK(BM_OpenWrongAad);

}  // namespace

BENCHMARK_MAIN();
