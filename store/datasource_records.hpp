// The datasources of every org, with their per-org name index. Callers run
// all writes of one org on that org's shard, so read-check-write sequences
// without a suspension point in between cannot interleave.
#pragma once

#include "core/failure.hpp"
#include "store/datasource_record.hpp"
#include "store/store.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dsb::store {

struct DatasourcePage {
  std::vector<DatasourceRecord> items;
  std::string next_cursor;  // empty when this is the last page
};

class DatasourceRecords {
 public:
  explicit DatasourceRecords(Store& store) : store_(store) {}

  Result<std::optional<DatasourceRecord>> get(std::string_view org_id, std::string_view id) const;
  Result<std::optional<std::string>> id_by_name(std::string_view org_id,
                                                std::string_view name) const;
  // Records in creation order after `cursor` (an id), optionally of one type.
  Result<DatasourcePage> list(std::string_view org_id, std::string_view cursor, std::size_t limit,
                              std::string_view type) const;
  Result<std::size_t> count(std::string_view org_id) const;

  // Writes the record and its name index in one batch; `previous_name` is
  // the name to unindex on a rename. Extra ops (a schema snapshot) may ride along.
  Result<void> put(const DatasourceRecord& r, std::string_view previous_name, Batch extra = {});
  // Removes the record, its name index and its schema snapshots.
  Result<void> erase(const DatasourceRecord& r);

 private:
  Store& store_;
};

std::string datasource_key(std::string_view org_id, std::string_view id);

}  // namespace dsb::store
