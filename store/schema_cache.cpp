#include "store/schema_cache.hpp"

#include "store/datasource_records.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>

namespace dsb::store {
namespace json = boost::json;

namespace {

// "~" cannot be a client id segment clash: client ids never start with it.
std::string schema_key(std::string_view org_id, std::string_view ds, std::string_view client) {
  return datasource_key(org_id, ds) + "/" + (client.empty() ? std::string("~") : "c:" + std::string(client));
}

}  // namespace

Result<std::optional<CachedSchema>> SchemaCache::get(std::string_view org_id,
                                                     std::string_view datasource_id,
                                                     std::string_view client) const {
  auto raw = store_.get(Family::schemas, schema_key(org_id, datasource_id, client));
  if (!raw) return raw.error();
  if (!*raw) return std::optional<CachedSchema>{};
  // Layout: one line of metadata JSON, then the schema JSON text.
  const auto newline = (*raw)->find('\n');
  if (newline == std::string::npos) return internal_error("corrupt schema snapshot");
  boost::system::error_code ec;
  auto meta = json::parse(std::string_view(**raw).substr(0, newline), ec);
  if (ec || !meta.is_object()) return internal_error("corrupt schema snapshot");
  const auto& m = meta.as_object();
  CachedSchema out;
  out.hash = json::value_to<std::string>(m.at("hash"));
  out.fetched_at_ms = m.at("fetched_at_ms").to_number<std::int64_t>();
  out.tables = m.at("tables").to_number<std::int64_t>();
  out.schema_json = (*raw)->substr(newline + 1);
  return std::optional<CachedSchema>{std::move(out)};
}

void SchemaCache::put(Batch& batch, std::string_view org_id, std::string_view datasource_id,
                      std::string_view client, const CachedSchema& s) const {
  std::string value = json::serialize(json::object{
      {"hash", s.hash}, {"fetched_at_ms", s.fetched_at_ms}, {"tables", s.tables}});
  value += '\n';
  value += s.schema_json;
  batch.put(Family::schemas, schema_key(org_id, datasource_id, client), std::move(value));
}

}  // namespace dsb::store
