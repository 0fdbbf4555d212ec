#include "server/api/compat/compat_records.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace dsb::server::api::compat {
namespace json = boost::json;

namespace {

constexpr std::size_t kScanPage = 500;

Result<json::object> decode(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return internal_error("a stored compat record is not a JSON object");
  return std::move(v.as_object());
}

}  // namespace

std::string CompatRecords::key(std::string_view org_id, std::string_view id) const {
  return std::string(org_id) + "/" + kind_ + "/" + std::string(id);
}

Result<std::optional<json::object>> CompatRecords::get(std::string_view org_id,
                                                       std::string_view id) const {
  auto raw = store_.get(store::Family::compat, key(org_id, id));
  if (!raw) return raw.error();
  if (!*raw) return std::optional<json::object>{};
  auto o = decode(**raw);
  if (!o) return o.error();
  return std::optional<json::object>{std::move(*o)};
}

Result<void> CompatRecords::put(std::string_view org_id, std::string_view id,
                                const json::object& fields) {
  store::Batch batch;
  batch.put(store::Family::compat, key(org_id, id), json::serialize(fields));
  return store_.write(batch);
}

Result<void> CompatRecords::erase(std::string_view org_id, std::string_view id) {
  store::Batch batch;
  batch.erase(store::Family::compat, key(org_id, id));
  return store_.write(batch);
}

Result<std::vector<CompatRecord>> CompatRecords::list(std::string_view org_id) const {
  const std::string prefix = key(org_id, "");
  std::vector<CompatRecord> out;
  std::string after;
  for (;;) {
    auto page = store_.scan(store::Family::compat, prefix, after, kScanPage);
    if (!page) return page.error();
    for (auto& kv : *page) {
      auto o = decode(kv.value);
      if (!o) return o.error();
      out.push_back({kv.key.substr(prefix.size()), std::move(*o)});
    }
    if (page->size() < kScanPage) break;
    after = page->back().key;
  }
  return out;
}

}  // namespace dsb::server::api::compat
