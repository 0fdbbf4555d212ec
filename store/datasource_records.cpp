#include "store/datasource_records.hpp"

namespace dsb::store {
namespace {

std::string name_key(std::string_view org_id, std::string_view name) {
  return std::string(org_id) + "/" + std::string(name);
}

// Scans this many records at most per page when filtering by type, so one
// request's work stays bounded; the cursor resumes where the scan stopped.
constexpr std::size_t kFilterScanBudget = 5000;

}  // namespace

std::string datasource_key(std::string_view org_id, std::string_view id) {
  return std::string(org_id) + "/" + std::string(id);
}

Result<std::optional<DatasourceRecord>> DatasourceRecords::get(std::string_view org_id,
                                                               std::string_view id) const {
  auto raw = store_.get(Family::datasources, datasource_key(org_id, id));
  if (!raw) return raw.error();
  if (!*raw) return std::optional<DatasourceRecord>{};
  auto rec = decode_datasource(**raw);
  if (!rec) return rec.error();
  return std::optional<DatasourceRecord>{std::move(*rec)};
}

Result<std::optional<std::string>> DatasourceRecords::id_by_name(std::string_view org_id,
                                                                 std::string_view name) const {
  return store_.get(Family::datasource_names, name_key(org_id, name));
}

Result<DatasourcePage> DatasourceRecords::list(std::string_view org_id, std::string_view cursor,
                                               std::size_t limit, std::string_view type) const {
  const std::string prefix = std::string(org_id) + "/";
  const std::string after = cursor.empty() ? std::string() : prefix + std::string(cursor);
  const std::size_t fetch = type.empty() ? limit + 1 : kFilterScanBudget;
  auto rows = store_.scan(Family::datasources, prefix, after, fetch);
  if (!rows) return rows.error();
  DatasourcePage page;
  std::string last_seen;
  for (auto& kv : *rows) {
    if (page.items.size() == limit) {
      page.next_cursor = page.items.back().id;
      return page;
    }
    auto rec = decode_datasource(kv.value);
    if (!rec) return rec.error();
    last_seen = rec->id;
    if (!type.empty() && rec->type != type) continue;
    page.items.push_back(std::move(*rec));
  }
  // A filtered scan that used its whole budget may have more beyond it.
  if (!type.empty() && rows->size() == fetch) page.next_cursor = last_seen;
  return page;
}

Result<std::size_t> DatasourceRecords::count(std::string_view org_id) const {
  auto rows = store_.scan(Family::datasource_names, std::string(org_id) + "/", "", SIZE_MAX);
  if (!rows) return rows.error();
  return ok(rows->size());
}

Result<void> DatasourceRecords::put(const DatasourceRecord& r, std::string_view previous_name,
                                    Batch extra) {
  Batch& batch = extra;
  if (!previous_name.empty() && previous_name != r.name)
    batch.erase(Family::datasource_names, name_key(r.org_id, previous_name));
  batch.put(Family::datasource_names, name_key(r.org_id, r.name), r.id);
  batch.put(Family::datasources, datasource_key(r.org_id, r.id), encode_datasource(r));
  return store_.write(batch);
}

Result<void> DatasourceRecords::erase(const DatasourceRecord& r) {
  auto snapshots = store_.scan(Family::schemas, datasource_key(r.org_id, r.id) + "/", "", SIZE_MAX);
  if (!snapshots) return snapshots.error();
  Batch batch;
  for (const auto& kv : *snapshots) batch.erase(Family::schemas, kv.key);
  batch.erase(Family::datasource_names, name_key(r.org_id, r.name));
  batch.erase(Family::datasources, datasource_key(r.org_id, r.id));
  return store_.write(batch);
}

}  // namespace dsb::store
