#include "store/store.hpp"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <array>
#include <filesystem>

namespace dsb::store {
namespace {

constexpr std::array<std::string_view, kFamilyCount> kFamilyNames = {
    "meta",   "orgs",        "tokens",  "org_tokens", "datasources", "datasource_names",
    "logins", "login_names", "schemas", "jobs",       "compat"};

Failure storage_failure(const rocksdb::Status& s, std::string_view what) {
  return internal_error("storage error during " + std::string(what) + ": " + s.ToString());
}

rocksdb::ColumnFamilyOptions family_options(std::string_view name,
                                            const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions o;
  rocksdb::BlockBasedTableOptions t;
  t.block_cache = cache;
  t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  // Schema snapshots are large and repetitive; everything else is small.
  o.compression = name == "schemas" ? rocksdb::kZSTD : rocksdb::kLZ4Compression;
  return o;
}

class RocksStore final : public Store {
 public:
  RocksStore(std::unique_ptr<rocksdb::DB> db, std::vector<rocksdb::ColumnFamilyHandle*> handles)
      : db_(std::move(db)), handles_(std::move(handles)) {}

  ~RocksStore() override {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    db_->Close();
  }

  Result<std::optional<std::string>> get(Family f, std::string_view key) override {
    std::string value;
    auto s = db_->Get(rocksdb::ReadOptions(), handle(f), key, &value);
    if (s.IsNotFound()) return std::optional<std::string>{};
    if (!s.ok()) return storage_failure(s, "get");
    return std::optional<std::string>{std::move(value)};
  }

  Result<void> write(const Batch& batch) override {
    rocksdb::WriteBatch wb;
    for (const auto& op : batch.ops()) {
      auto s = op.value ? wb.Put(handle(op.family), op.key, *op.value)
                        : wb.Delete(handle(op.family), op.key);
      if (!s.ok()) return storage_failure(s, "batch");
    }
    // sync=false: the WAL write reaches the kernel before Write returns, so a
    // killed process loses nothing; only a machine crash could.
    auto s = db_->Write(rocksdb::WriteOptions(), &wb);
    if (!s.ok()) return storage_failure(s, "write");
    return {};
  }

  Result<std::vector<KeyValue>> scan(Family f, std::string_view prefix, std::string_view after,
                                     std::size_t limit) override {
    std::vector<KeyValue> out;
    rocksdb::ReadOptions ro;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handle(f)));
    const std::string start = after.empty() ? std::string(prefix) : std::string(after);
    for (it->Seek(start); it->Valid() && out.size() < limit; it->Next()) {
      const auto k = it->key();
      if (!k.starts_with(rocksdb::Slice(prefix.data(), prefix.size()))) break;
      if (!after.empty() && k.compare(rocksdb::Slice(after.data(), after.size())) <= 0) continue;
      out.push_back({k.ToString(), it->value().ToString()});
    }
    if (!it->status().ok()) return storage_failure(it->status(), "scan");
    return out;
  }

  Result<void> erase_prefix(std::string_view prefix) override {
    rocksdb::WriteBatch wb;
    for (auto* h : handles_) {
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), h));
      for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
        auto s = wb.Delete(h, it->key());
        if (!s.ok()) return storage_failure(s, "erase batch");
      }
      if (!it->status().ok()) return storage_failure(it->status(), "erase scan");
    }
    auto s = db_->Write(rocksdb::WriteOptions(), &wb);
    if (!s.ok()) return storage_failure(s, "erase");
    return {};
  }

  bool is_open() const override { return db_ != nullptr; }

 private:
  rocksdb::ColumnFamilyHandle* handle(Family f) const { return handles_[static_cast<int>(f)]; }

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

}  // namespace

std::string_view family_name(Family f) { return kFamilyNames[static_cast<int>(f)]; }

Result<std::unique_ptr<Store>> open_rocks_store(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return internal_error("cannot create the store directory " + dir + ": " + ec.message());

  rocksdb::DBOptions db_opts;
  db_opts.create_if_missing = true;
  db_opts.create_missing_column_families = true;
  db_opts.max_background_jobs = 2;
  db_opts.keep_log_file_num = 4;

  auto cache = rocksdb::NewLRUCache(64 << 20);
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  families.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  for (auto name : kFamilyNames)
    families.emplace_back(std::string(name), family_options(name, cache));

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(db_opts, dir, families, &handles, &raw);
  if (!s.ok()) return storage_failure(s, "open");
  std::unique_ptr<rocksdb::DB> db(raw);
  // handles[0] is the unused default family; keep only ours, in enum order.
  db->DestroyColumnFamilyHandle(handles.front());
  handles.erase(handles.begin());
  return std::unique_ptr<Store>(new RocksStore(std::move(db), std::move(handles)));
}

}  // namespace dsb::store
