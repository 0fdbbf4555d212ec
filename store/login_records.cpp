#include "store/login_records.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>

namespace dsb::store {
namespace json = boost::json;

namespace {

std::string key(std::string_view org_id, std::string_view rest) {
  return std::string(org_id) + "/" + std::string(rest);
}

std::string encode(const LoginRecord& r) {
  return json::serialize(json::object{{"id", r.id},
                                      {"org_id", r.org_id},
                                      {"name", r.name},
                                      {"username", r.username},
                                      {"description", r.description},
                                      {"password", r.password_envelope},
                                      {"version", r.version},
                                      {"created_at_ms", r.created_at_ms},
                                      {"updated_at_ms", r.updated_at_ms}});
}

Result<LoginRecord> decode(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return internal_error("corrupt login record");
  try {
    const auto& o = v.as_object();
    auto str = [&](const char* k) { return json::value_to<std::string>(o.at(k)); };
    return LoginRecord{str("id"), str("org_id"), str("name"), str("username"), str("description"),
                       str("password"), o.at("version").to_number<std::int64_t>(),
                       o.at("created_at_ms").to_number<std::int64_t>(),
                       o.at("updated_at_ms").to_number<std::int64_t>()};
  } catch (const std::exception&) {
    return internal_error("corrupt login record");
  }
}

}  // namespace

Result<std::optional<LoginRecord>> LoginRecords::get(std::string_view org_id, std::string_view id) const {
  auto raw = store_.get(Family::logins, key(org_id, id));
  if (!raw) return raw.error();
  if (!*raw) return std::optional<LoginRecord>{};
  auto r = decode(**raw);
  if (!r) return r.error();
  return std::optional<LoginRecord>{std::move(*r)};
}

Result<std::optional<std::string>> LoginRecords::id_by_name(std::string_view org_id,
                                                            std::string_view name) const {
  return store_.get(Family::login_names, key(org_id, name));
}

Result<std::vector<LoginRecord>> LoginRecords::list(std::string_view org_id) const {
  auto rows = store_.scan(Family::logins, key(org_id, ""), "", SIZE_MAX);
  if (!rows) return rows.error();
  std::vector<LoginRecord> out;
  for (const auto& kv : *rows) {
    auto r = decode(kv.value);
    if (!r) return r.error();
    out.push_back(std::move(*r));
  }
  return out;
}

Result<void> LoginRecords::put(const LoginRecord& r, std::string_view previous_name) {
  Batch batch;
  if (!previous_name.empty() && previous_name != r.name)
    batch.erase(Family::login_names, key(r.org_id, previous_name));
  batch.put(Family::login_names, key(r.org_id, r.name), r.id);
  batch.put(Family::logins, key(r.org_id, r.id), encode(r));
  return store_.write(batch);
}

Result<void> LoginRecords::erase(const LoginRecord& r) {
  Batch batch;
  batch.erase(Family::login_names, key(r.org_id, r.name));
  batch.erase(Family::logins, key(r.org_id, r.id));
  return store_.write(batch);
}

}  // namespace dsb::store
