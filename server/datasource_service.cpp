#include "server/datasource_service.hpp"

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/json_path.hpp"
#include "drivers/catalogue/catalogue.hpp"

#include <boost/json/value_to.hpp>

namespace dsb::server {
namespace json = boost::json;
namespace asio = boost::asio;
using store::DatasourceRecord;

namespace {

constexpr std::size_t kMaxNameLength = 200;

void check_name(const json::object& body, std::vector<FieldProblem>& problems) {
  const json::value* v = body.if_contains("name");
  if (v == nullptr || v->is_null()) return problems.push_back({"name", "is required"});
  if (!v->is_string()) return problems.push_back({"name", "must be a string"});
  const auto& s = v->as_string();
  if (s.empty() || s.size() > kMaxNameLength)
    return problems.push_back({"name", "must be 1 to 200 characters"});
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7F) return problems.push_back({"name", "must not contain control characters"});
}

const drivers::TypeEntry* check_type(const json::object& body, std::vector<FieldProblem>& problems) {
  const json::value* v = body.if_contains("type");
  if (v == nullptr || v->is_null()) return problems.push_back({"type", "is required"}), nullptr;
  if (!v->is_string()) return problems.push_back({"type", "must be a string"}), nullptr;
  const auto* entry = drivers::find_type(v->as_string());
  if (entry == nullptr) problems.push_back({"type", "is not a known datasource type (see GET /v1/types)"});
  return entry;
}

}  // namespace

std::optional<std::int64_t> parse_version_tag(std::string_view tag) {
  if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') tag = tag.substr(1, tag.size() - 2);
  if (tag.starts_with("v")) tag.remove_prefix(1);
  std::int64_t v = 0;
  for (char c : tag) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return tag.empty() ? std::nullopt : std::optional<std::int64_t>(v);
}

std::string version_tag(std::int64_t version) { return "\"v" + std::to_string(version) + "\""; }

Failure not_found(std::string_view what, std::string_view id) {
  return fail(404, "NOT_FOUND", std::string(what) + " '" + std::string(id) + "' does not exist");
}

Result<void> DatasourceService::apply_body(DatasourceRecord& r, json::object body) const {
  std::vector<FieldProblem> problems;
  check_name(body, problems);
  const auto* entry = check_type(body, problems);
  if (entry == nullptr || !problems.empty()) return invalid_body(std::move(problems));
  r.name = json::value_to<std::string>(body.at("name"));
  r.type = entry->name;  // an alias (mariadb) is stored under its canonical type
  body.erase("name");
  body.erase("type");
  drivers::validate_datasource(*entry, body, {app_.config.files.root}, problems);
  if (!problems.empty()) return invalid_body(std::move(problems));

  std::map<std::string, std::string> secrets;
  for (const auto& path : drivers::secret_paths(*entry)) {
    const json::value* v = find_path(body, path);
    if (v != nullptr && v->is_string()) {
      auto sealed = app_.vault->seal(v->as_string(), store::secret_aad(r.org_id, r.id, path));
      if (!sealed) return sealed.error();
      secrets[path] = std::move(*sealed);
    } else if (v == nullptr) {
      // Left out: keep what is stored (update); nothing on create.
      if (auto it = r.secrets.find(path); it != r.secrets.end()) secrets[path] = it->second;
    }
    erase_path(body, path);  // never stored in clear, null included
  }
  drivers::apply_defaults(*entry, body);
  r.config = std::move(body);
  r.secrets = std::move(secrets);
  return {};
}

Result<void> DatasourceService::check_name_free(const DatasourceRecord& r) const {
  auto owner = app_.datasources->id_by_name(r.org_id, r.name);
  if (!owner) return owner.error();
  if (*owner && **owner != r.id) {
    Failure f = fail(409, "DATASOURCE_NAME_ERROR", "a datasource named '" + r.name + "' already exists");
    f.details.push_back({"name", "already exists"});
    return f;
  }
  return {};
}

asio::awaitable<Result<DatasourceRecord>> DatasourceService::create(std::string_view org_id,
                                                                    std::string_view actor,
                                                                    json::object body,
                                                                    WriteOptions opts) {
  DatasourceRecord r;
  r.id = new_uuid();
  r.org_id = std::string(org_id);
  if (auto a = apply_body(r, std::move(body)); !a) co_return a.error();
  if (auto n = check_name_free(r); !n) co_return n.error();
  (void)opts;
  r.created_at_ms = r.updated_at_ms = r.published_at_ms = now_unix_ms();
  r.created_by = r.updated_by = std::string(actor);
  r.version = 1;
  if (auto w = app_.datasources->put(r, ""); !w) co_return w.error();
  co_return r;
}

asio::awaitable<Result<DatasourceRecord>> DatasourceService::store_update(DatasourceRecord current,
                                                                          std::string_view actor,
                                                                          json::object body,
                                                                          WriteOptions opts) {
  if (opts.if_match && *opts.if_match != current.version)
    co_return fail(412, "PRECONDITION_FAILED",
                   "the datasource is at version " + std::to_string(current.version) +
                       ", not " + std::to_string(*opts.if_match));
  const std::string previous_name = current.name;
  DatasourceRecord next = current;
  if (auto a = apply_body(next, std::move(body)); !a) co_return a.error();
  if (auto n = check_name_free(next); !n) co_return n.error();
  next.version = current.version + 1;
  next.updated_at_ms = now_unix_ms();
  next.updated_by = std::string(actor);
  if (next.type != current.type || next.config != current.config || next.secrets != current.secrets) {
    next.status = "untested";  // what was tested is no longer what is stored
  }
  if (auto w = app_.datasources->put(next, previous_name); !w) co_return w.error();
  co_return next;
}

asio::awaitable<Result<DatasourceRecord>> DatasourceService::replace(std::string_view org_id,
                                                                     std::string_view actor,
                                                                     std::string_view id,
                                                                     json::object body,
                                                                     WriteOptions opts) {
  auto current = get(org_id, id);
  if (!current) co_return current.error();
  co_return co_await store_update(std::move(*current), actor, std::move(body), opts);
}

asio::awaitable<Result<DatasourceRecord>> DatasourceService::patch(std::string_view org_id,
                                                                   std::string_view actor,
                                                                   std::string_view id,
                                                                   json::object patch,
                                                                   WriteOptions opts) {
  auto current = get(org_id, id);
  if (!current) co_return current.error();
  // The patch applies to the stored view without secrets; secret fields of
  // the patch (a value or null) then ride along as in a replace.
  json::object doc = current->config;
  doc["name"] = current->name;
  doc["type"] = current->type;
  json::object secret_changes;
  if (const auto* entry = drivers::find_type(current->type)) {
    for (const auto& path : drivers::secret_paths(*entry)) {
      if (const json::value* v = find_path(patch, path)) {
        set_path(secret_changes, path, *v);
        erase_path(patch, path);
      }
    }
  }
  merge_patch(doc, patch);
  for (const auto& [k, v] : secret_changes) {
    json::value& slot = doc[k];
    if (v.is_object() && slot.is_object())
      for (const auto& [kk, vv] : v.as_object()) slot.as_object()[kk] = vv;
    else
      slot = v;
  }
  co_return co_await store_update(std::move(*current), actor, std::move(doc), opts);
}

Result<DatasourceRecord> DatasourceService::get(std::string_view org_id, std::string_view id) const {
  auto r = app_.datasources->get(org_id, id);
  if (!r) return r.error();
  if (!*r) return not_found("datasource", id);
  return std::move(**r);
}

Result<DatasourceRecord> DatasourceService::get_by_name(std::string_view org_id,
                                                        std::string_view name) const {
  auto id = app_.datasources->id_by_name(org_id, name);
  if (!id) return id.error();
  if (!*id) return not_found("datasource", name);
  return get(org_id, **id);
}

Result<void> DatasourceService::remove(std::string_view org_id, std::string_view id,
                                       std::optional<std::int64_t> if_match) {
  auto current = get(org_id, id);
  if (!current) return current.error();
  if (if_match && *if_match != current->version)
    return fail(412, "PRECONDITION_FAILED",
                "the datasource is at version " + std::to_string(current->version));
  return app_.datasources->erase(*current);
}

json::object DatasourceService::render(const DatasourceRecord& r) const {
  json::object out = r.config;
  if (const auto* entry = drivers::find_type(r.type)) {
    for (const auto& path : drivers::secret_paths(*entry)) {
      // Only show blocks the datasource uses (an ssh secret without ssh settings stays hidden).
      const auto dot = path.find('.');
      if (dot != std::string::npos && path.substr(0, dot) != "options" &&
          out.if_contains(path.substr(0, dot)) == nullptr && !r.secrets.contains(path))
        continue;
      set_path(out, path, json::object{{"set", r.secrets.contains(path)}});
    }
  }
  out["id"] = r.id;
  out["name"] = r.name;
  out["type"] = r.type;
  out["status"] = r.status;
  out["last_tested_at"] = r.last_tested_at_ms ? json::value(rfc3339(r.last_tested_at_ms)) : nullptr;
  out["last_error"] = r.last_error.empty() ? json::value(nullptr) : json::value(r.last_error);
  out["schema_info"] = r.schema_info.empty() ? json::value(nullptr) : json::value(r.schema_info);
  out["version"] = r.version;
  out["created_at"] = rfc3339(r.created_at_ms);
  out["created_by"] = r.created_by;
  out["updated_at"] = rfc3339(r.updated_at_ms);
  out["updated_by"] = r.updated_by;
  out["published_at"] = rfc3339(r.published_at_ms);
  return out;
}

}  // namespace dsb::server
