// Cached schema snapshots, one per datasource (and per client for DATABASE
// tenancy). The column family compresses them (ZSTD); the value keeps the
// schema JSON as text so a GET serves it without re-encoding.
#pragma once

#include "core/failure.hpp"
#include "store/store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dsb::store {

struct CachedSchema {
  std::string schema_json;  // drivers::schema_json_text
  std::string hash;         // content hash, served as the ETag
  std::int64_t fetched_at_ms = 0;
  std::int64_t tables = 0;
};

class SchemaCache {
 public:
  explicit SchemaCache(Store& store) : store_(store) {}

  // `client` empty = the datasource's own schema.
  Result<std::optional<CachedSchema>> get(std::string_view org_id, std::string_view datasource_id,
                                          std::string_view client = {}) const;
  // Adds the write to `batch`, so it lands together with the datasource record.
  void put(Batch& batch, std::string_view org_id, std::string_view datasource_id,
           std::string_view client, const CachedSchema& schema) const;

 private:
  Store& store_;
};

}  // namespace dsb::store
