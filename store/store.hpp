// The store seam: an ordered key-value store with one column family per record
// kind. Keys of org-owned records start with "<org_id>/" so one org is one
// prefix scan. RocksStore is the implementation; the interface exists so the
// record layer does not see RocksDB.
#pragma once

#include "core/failure.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dsb::store {

enum class Family : int {
  meta,              // store-wide settings
  orgs,              // org_id -> org record
  tokens,            // sha256(token) -> token record
  org_tokens,        // org_id/token_id -> sha256(token)
  datasources,       // org_id/datasource_id -> datasource record
  datasource_names,  // org_id/name -> datasource_id
  logins,            // org_id/login_id -> login record
  login_names,       // org_id/name -> login_id
  schemas,           // org_id/datasource_id/client -> schema snapshot (compressed)
  jobs,              // org_id/job_id -> job result
  compat,            // org_id/kind/id -> a vendor surface's own record (MicroStrategy fields)
};
inline constexpr int kFamilyCount = 11;
std::string_view family_name(Family f);

struct KeyValue {
  std::string key;
  std::string value;
};

// A set of changes applied atomically by Store::write.
class Batch {
 public:
  struct Op {
    Family family;
    std::string key;
    std::optional<std::string> value;  // nullopt = delete
  };
  void put(Family f, std::string key, std::string value) {
    ops_.push_back({f, std::move(key), std::move(value)});
  }
  void erase(Family f, std::string key) { ops_.push_back({f, std::move(key), std::nullopt}); }
  const std::vector<Op>& ops() const { return ops_; }
  bool empty() const { return ops_.empty(); }

 private:
  std::vector<Op> ops_;
};

class Store {
 public:
  virtual ~Store() = default;

  // Returns nullopt when the key is absent; a Failure only on I/O or corruption.
  virtual Result<std::optional<std::string>> get(Family f, std::string_view key) = 0;

  // Applies every op or none. Once it returns success the change survives a
  // killed process (the write-ahead log is written before the call returns).
  virtual Result<void> write(const Batch& batch) = 0;

  // Up to `limit` entries whose key starts with `prefix` and sorts after
  // `after` (empty = from the start), in key order.
  virtual Result<std::vector<KeyValue>> scan(Family f, std::string_view prefix,
                                             std::string_view after, std::size_t limit) = 0;

  // Deletes every key starting with `prefix` in every family (org deletion).
  virtual Result<void> erase_prefix(std::string_view prefix) = 0;

  virtual bool is_open() const = 0;
};

// Opens (creating if needed) the RocksDB database in `dir`.
Result<std::unique_ptr<Store>> open_rocks_store(const std::string& dir);

}  // namespace dsb::store
