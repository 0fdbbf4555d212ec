#include "store/datasource_record.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>

namespace dsb::store {
namespace json = boost::json;

std::string encode_datasource(const DatasourceRecord& r) {
  json::object secrets;
  for (const auto& [path, envelope] : r.secrets) secrets[path] = envelope;
  return json::serialize(json::object{{"id", r.id},
                                      {"org_id", r.org_id},
                                      {"name", r.name},
                                      {"type", r.type},
                                      {"version", r.version},
                                      {"created_at_ms", r.created_at_ms},
                                      {"created_by", r.created_by},
                                      {"updated_at_ms", r.updated_at_ms},
                                      {"updated_by", r.updated_by},
                                      {"published_at_ms", r.published_at_ms},
                                      {"status", r.status},
                                      {"last_tested_at_ms", r.last_tested_at_ms},
                                      {"last_error", r.last_error},
                                      {"config", r.config},
                                      {"secrets", std::move(secrets)},
                                      {"schema_info", r.schema_info}});
}

Result<DatasourceRecord> decode_datasource(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return internal_error("corrupt datasource record");
  const auto& o = v.as_object();
  try {
    DatasourceRecord r;
    auto str = [&](const char* k) { return json::value_to<std::string>(o.at(k)); };
    auto num = [&](const char* k) { return o.at(k).to_number<std::int64_t>(); };
    r.id = str("id");
    r.org_id = str("org_id");
    r.name = str("name");
    r.type = str("type");
    r.version = num("version");
    r.created_at_ms = num("created_at_ms");
    r.created_by = str("created_by");
    r.updated_at_ms = num("updated_at_ms");
    r.updated_by = str("updated_by");
    r.published_at_ms = num("published_at_ms");
    r.status = str("status");
    r.last_tested_at_ms = num("last_tested_at_ms");
    r.last_error = o.at("last_error").as_object();
    r.config = o.at("config").as_object();
    for (const auto& [k, env] : o.at("secrets").as_object())
      r.secrets.emplace(std::string(k), json::value_to<std::string>(env));
    r.schema_info = o.at("schema_info").as_object();
    return r;
  } catch (const std::exception&) {
    // A record that does not decode is corruption, reported, never guessed at.
    return internal_error("corrupt datasource record");
  }
}

}  // namespace dsb::store
