#include "server/api/compat/mstr_connections.hpp"

#include "server/api/compat/datasource_range.hpp"
#include "server/api/compat/mstr_common.hpp"
#include "server/api/compat/mstr_connection_mapping.hpp"
#include "server/datasource_service.hpp"

#include <map>

namespace dsb::server::api::compat {
namespace json = boost::json;

namespace {

Failure connection_not_found(std::string_view id) {
  return fail(404, "NOT_FOUND", "connection '" + std::string(id) + "' does not exist");
}

}  // namespace

Result<MstrConnection> MstrConnections::find(std::string_view org_id, std::string_view raw_id) {
  const std::string id = normalized_mstr_id(raw_id);
  auto rec = records_.get(org_id, id);
  if (!rec) return rec.error();
  if (*rec) {
    MstrConnection c{std::string(org_id), id, std::move(**rec), std::nullopt};
    const std::string native_id = str_at(c.record, "native_id");
    if (native_id.empty()) return c;
    auto native = app_.datasources->get(org_id, native_id);
    if (!native) return native.error();
    if (!*native) {  // deleted through another surface: the settings go with it
      if (auto e = records_.erase(org_id, id); !e) return e.error();
      return connection_not_found(id);
    }
    c.native = std::move(**native);
    return c;
  }
  const auto uuid = uuid_of_mstr_id(id);
  if (!uuid) return connection_not_found(id);
  auto native = app_.datasources->get(org_id, *uuid);
  if (!native) return native.error();
  if (!*native) return connection_not_found(id);
  return MstrConnection{std::string(org_id), id, {}, std::move(**native)};
}

Result<std::vector<MstrConnection>> MstrConnections::list(std::string_view org_id) {
  auto recs = records_.list(org_id);
  if (!recs) return recs.error();
  std::map<std::string, CompatRecord*> by_native;
  std::vector<CompatRecord*> dsn_only;
  for (auto& r : *recs) {
    const std::string native_id = str_at(r.fields, "native_id");
    if (native_id.empty())
      dsn_only.push_back(&r);
    else
      by_native[native_id] = &r;  // one whose datasource is gone is left out
  }
  auto natives = datasource_range(app_, org_id, 0, SIZE_MAX);
  if (!natives) return natives.error();
  std::vector<MstrConnection> out;
  for (auto& n : *natives) {
    auto it = by_native.find(n.id);
    if (it == by_native.end())
      out.push_back({std::string(org_id), mstr_id_of_uuid(n.id), {}, std::move(n)});
    else
      out.push_back(
          {std::string(org_id), it->second->id, std::move(it->second->fields), std::move(n)});
  }
  for (CompatRecord* r : dsn_only)
    out.push_back({std::string(org_id), r->id, std::move(r->fields), std::nullopt});
  return out;
}

std::string MstrConnections::login_name(std::string_view org_id,
                                        const std::string& login_id) const {
  auto login = app_.logins->get(org_id, login_id);
  return login && *login ? (*login)->name : std::string();
}

json::object MstrConnections::render(const MstrConnection& c) const {
  auto name_of = [this, &c](const std::string& login_id) { return login_name(c.org_id, login_id); };
  return render_mstr_connection(c.id, c.record, c.native ? &*c.native : nullptr, name_of);
}

}  // namespace dsb::server::api::compat
