// A datasource through the store: the record codec alone, a put (record and
// name index in one batch, WAL written, no fsync) and a get (read + decode),
// on a RocksDB in a fresh temp dir, as the create and GET handlers do.
#include "core/ids.hpp"
#include "store/datasource_records.hpp"
#include "store/store.hpp"
#include "store/vault.hpp"

#include <benchmark/benchmark.h>
#include <boost/json/parse.hpp>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using dsb::store::DatasourceRecord;
using dsb::store::DatasourceRecords;

constexpr const char* kOrg = "0190d7a2-7c1e-7000-8000-00000000a001";
constexpr std::size_t kPreloaded = 10'000;  // records in the store before a get run

// A postgres datasource as the create handler stores it: config without
// secrets, the password sealed by the vault.
DatasourceRecord sample_record(const dsb::store::Vault& vault, std::string id, std::string name) {
  DatasourceRecord r;
  r.id = std::move(id);
  r.org_id = kOrg;
  r.name = std::move(name);
  r.type = "postgres";
  r.created_at_ms = r.updated_at_ms = r.published_at_ms = 1'720'000'000'000;
  r.created_by = r.updated_by = "0190d7a2-7c1e-7000-8000-00000000t001";
  r.config = boost::json::parse(R"({"host":"db.example.com","port":5432,"database":"analytics",
      "schema":"public","username":"dbuser","options":{"ssl":"enable"},
      "tls":{"mode":"verify-full"}})")
                 .as_object();
  r.secrets["password"] =
      vault.seal("securepassword", dsb::store::secret_aad(r.org_id, r.id, "password")).value();
  return r;
}

// A store in a temp dir, removed when the benchmark ends.
class TempStore {
 public:
  TempStore() {
    std::string tmpl = (fs::temp_directory_path() / "dsb_store_bench.XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    store_ = dsb::store::open_rocks_store((dir_ / "db").string()).value();
  }
  ~TempStore() {
    store_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  dsb::store::Store& store() { return *store_; }

 private:
  fs::path dir_;
  std::unique_ptr<dsb::store::Store> store_;
};

const dsb::store::Vault& vault() {
  static const dsb::store::Vault v({dsb::store::generate_master_key()});
  return v;
}

void BM_EncodeDatasource(benchmark::State& state) {
  const auto r = sample_record(vault(), dsb::new_uuid(), "warehouse");
  for (auto _ : state) benchmark::DoNotOptimize(dsb::store::encode_datasource(r));
}
BENCHMARK(BM_EncodeDatasource);

void BM_DecodeDatasource(benchmark::State& state) {
  const std::string text =
      dsb::store::encode_datasource(sample_record(vault(), dsb::new_uuid(), "warehouse"));
  state.counters["bytes"] = static_cast<double>(text.size());
  for (auto _ : state) benchmark::DoNotOptimize(dsb::store::decode_datasource(text));
}
BENCHMARK(BM_DecodeDatasource);

// A new record per iteration (a create): encode + one two-key WriteBatch.
void BM_StorePut(benchmark::State& state) {
  TempStore db;
  DatasourceRecords records(db.store());
  auto r = sample_record(vault(), dsb::new_uuid(), "warehouse");
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < 4096; ++i) ids.push_back(dsb::new_uuid());
  std::size_t n = 0;
  for (auto _ : state) {
    r.id = ids[n % ids.size()] + std::to_string(n / ids.size());
    r.name = "ds-" + std::to_string(n++);
    if (auto w = records.put(r, ""); !w) {
      state.SkipWithError(w.error().message.c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StorePut);

// kPreloaded records, written once per process (Google Benchmark calls a
// benchmark function several times while it sizes the run).
struct Preloaded {
  TempStore db;
  std::vector<std::string> ids;
  Preloaded() {
    DatasourceRecords records(db.store());
    for (std::size_t i = 0; i < kPreloaded; ++i) {
      auto r = sample_record(vault(), dsb::new_uuid(), "ds-" + std::to_string(i));
      if (!records.put(r, "")) throw std::runtime_error("preload failed");
      ids.push_back(r.id);
    }
  }
};

// A read of one of kPreloaded records (all in the memtable / block cache), decoded.
void BM_StoreGet(benchmark::State& state) {
  static Preloaded pre;
  DatasourceRecords records(pre.db.store());
  std::size_t n = 0;
  for (auto _ : state) {
    // A stride coprime with kPreloaded walks every record, not a cached few.
    auto got = records.get(kOrg, pre.ids[(n += 7919) % pre.ids.size()]);
    if (!got || !*got) {
      state.SkipWithError("record missing");
      break;
    }
    benchmark::DoNotOptimize(got);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StoreGet);

}  // namespace

BENCHMARK_MAIN();
