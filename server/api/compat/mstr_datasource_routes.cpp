// /api/datasources: MicroStrategy's database sources ("DB instances"). One
// wraps a connection (database.connection.id) with a DBMS and a few
// settings; it is a compat record that points at the connection, whose
// datasource the native API and the other surfaces see.
#include "core/clock.hpp"
#include "core/json_path.hpp"
#include "drivers/catalogue/catalogue.hpp"
#include "server/api/compat/mstr_common.hpp"
#include "server/api/compat/mstr_connections.hpp"
#include "server/api/compat/mstr_routes.hpp"
#include "server/json_body.hpp"

namespace dsb::server::api::compat {
namespace json = boost::json;
namespace asio = boost::asio;
using http::status;
using http::verb;

namespace {

// Stored as given; shown back in this order.
constexpr std::string_view kTexts[] = {"name",
                                       "description",
                                       "datasourceType",
                                       "tablePrefix",
                                       "odbcVersion",
                                       "intermediateStoreDbName",
                                       "intermediateStoreTableSpaceName"};
constexpr std::string_view kDefaults[] = {"", "", "normal", "", "version3x", "", ""};

const std::vector<std::string_view> kPatchable = {"/name",
                                                  "/description",
                                                  "/datasourceType",
                                                  "/tablePrefix",
                                                  "/odbcVersion",
                                                  "/intermediateStoreDbName",
                                                  "/intermediateStoreTableSpaceName",
                                                  "/database/connection/id",
                                                  "/dbms/id"};

Failure datasource_not_found(std::string_view id) {
  return fail(404, "NOT_FOUND", "datasource '" + std::string(id) + "' does not exist");
}

// The record a body describes: {name, ..., connection_id, dbms_id}.
Result<json::object> read_body(const json::object& body) {
  std::vector<FieldProblem> problems;
  json::object r;
  for (std::size_t i = 0; i < std::size(kTexts); ++i) {
    const json::value* v = body.if_contains(kTexts[i]);
    if (v == nullptr || v->is_null())
      r[kTexts[i]] = kDefaults[i];
    else if (!v->is_string())
      problems.push_back({std::string(kTexts[i]), "must be a string"});
    else
      r[kTexts[i]] = *v;
  }
  if (str_at(r, "name").empty()) problems.push_back({"name", "is required"});
  const json::value* conn = find_path(body, "database.connection.id");
  if (conn == nullptr || !conn->is_string() || conn->get_string().empty())
    problems.push_back({"database.connection.id", "is required"});
  else
    r["connection_id"] = normalized_mstr_id(conn->get_string());
  const json::value* dbms = find_path(body, "dbms.id");
  if (dbms != nullptr && !dbms->is_null() && !dbms->is_string())
    problems.push_back({"dbms.id", "must be a string"});
  r["dbms_id"] = dbms != nullptr && dbms->is_string() ? normalized_mstr_id(dbms->get_string()) : "";
  if (!problems.empty()) return invalid_body(std::move(problems));
  return r;
}

json::object render(App& app, std::string_view org, const std::string& id, const json::object& r) {
  MstrConnections conns(app);
  auto c = conns.find(org, str_at(r, "connection_id"));
  json::object connection{{"name", ""}, {"id", str_at(r, "connection_id")}, {"isEmbedded", false}};
  std::string type, version, dbms_name;
  if (c) {
    const json::object shown = conns.render(*c);
    connection["name"] = shown.at("name");
    type = str_at(shown.at("database").as_object(), "type");
    version = str_at(shown.at("database").as_object(), "version");
    if (c->native)
      if (const auto* entry = drivers::find_type(c->native->type)) dbms_name = entry->label;
    if (dbms_name.empty())
      if (auto native = native_type_of_mstr(type))
        if (const auto* entry = drivers::find_type(*native)) dbms_name = entry->label;
  }
  auto org_record = app.orgs->find_org(org);
  const std::string owner = org_record && *org_record ? (*org_record)->name : std::string();
  json::object out{
      {"id", id},
      {"name", r.at("name")},
      {"description", r.at("description")},
      {"dateCreated", mstr_time(r.at("created_at_ms").to_number<std::int64_t>())},
      {"dateModified", mstr_time(r.at("updated_at_ms").to_number<std::int64_t>())},
      {"acg", 255},
      {"datasourceType", r.at("datasourceType")},
      {"database", json::object{{"type", type}, {"version", version}, {"connection", connection}}}};
  for (std::size_t i = 3; i < std::size(kTexts); ++i) out[kTexts[i]] = r.at(kTexts[i]);
  out["dbms"] = json::object{{"name", dbms_name}, {"id", str_at(r, "dbms_id")}};
  out["owner"] = json::object{{"name", owner}, {"id", mstr_id_of_uuid(org)}};
  return out;
}

// The connection must exist and the name be free among the org's datasources.
Result<void> check(App& app, std::string_view org, const std::string& id, const json::object& r) {
  MstrConnections conns(app);
  if (auto c = conns.find(org, str_at(r, "connection_id")); !c) {
    if (c.error().status != 404) return c.error();
    return invalid_body({{"database.connection.id", "does not name a connection"}});
  }
  CompatRecords sources(*app.store, kDatasourceKind);
  auto all = sources.list(org);
  if (!all) return all.error();
  for (const auto& s : *all)
    if (s.id != id && str_at(s.fields, "name") == str_at(r, "name")) {
      Failure f = fail(409, "DATASOURCE_NAME_ERROR",
                       "a datasource named '" + str_at(r, "name") + "' already exists");
      f.details.push_back({"name", "already exists"});
      return f;
    }
  return {};
}

asio::awaitable<Response> create(App& app, RequestContext& ctx) {
  auto body = parse_json_object(ctx.req.body());
  if (!body) co_return mstr_error(ctx, body.error());
  auto r = read_body(*body);
  if (!r) co_return mstr_error(ctx, r.error());
  const std::string id = new_mstr_id();
  if (auto c = check(app, ctx.org_id(), id, *r); !c) co_return mstr_error(ctx, c.error());
  (*r)["created_at_ms"] = (*r)["updated_at_ms"] = now_unix_ms();
  CompatRecords sources(*app.store, kDatasourceKind);
  if (auto w = sources.put(ctx.org_id(), id, *r); !w) co_return mstr_error(ctx, w.error());
  co_return json_response(ctx, status::created, render(app, ctx.org_id(), id, *r));
}

asio::awaitable<Response> list(App& app, RequestContext& ctx) {
  CompatRecords sources(*app.store, kDatasourceKind);
  auto all = sources.list(ctx.org_id());
  if (!all) co_return mstr_error(ctx, all.error());
  json::array out;
  for (const auto& s : *all) out.push_back(render(app, ctx.org_id(), s.id, s.fields));
  co_return json_response(ctx, status::ok, json::object{{"datasources", std::move(out)}});
}

asio::awaitable<Response> get_one(App& app, RequestContext& ctx) {
  const std::string id = normalized_mstr_id(ctx.params.at("id"));
  CompatRecords sources(*app.store, kDatasourceKind);
  auto r = sources.get(ctx.org_id(), id);
  if (!r) co_return mstr_error(ctx, r.error());
  if (!*r) co_return mstr_error(ctx, datasource_not_found(id));
  co_return json_response(ctx, status::ok, render(app, ctx.org_id(), id, **r));
}

asio::awaitable<Response> patch(App& app, RequestContext& ctx) {
  auto body = parse_json_object(ctx.req.body());
  if (!body) co_return mstr_error(ctx, body.error());
  auto ops = parse_operation_list(*body, kPatchable);
  if (!ops) co_return mstr_error(ctx, ops.error());
  const std::string id = normalized_mstr_id(ctx.params.at("id"));
  CompatRecords sources(*app.store, kDatasourceKind);
  auto current = sources.get(ctx.org_id(), id);
  if (!current) co_return mstr_error(ctx, current.error());
  if (!*current) co_return mstr_error(ctx, datasource_not_found(id));
  json::object view = render(app, ctx.org_id(), id, **current);
  for (const auto& op : *ops) apply_replace(view, op);
  auto next = read_body(view);
  if (!next) co_return mstr_error(ctx, next.error());
  if (auto c = check(app, ctx.org_id(), id, *next); !c) co_return mstr_error(ctx, c.error());
  (*next)["created_at_ms"] = (**current).at("created_at_ms");
  (*next)["updated_at_ms"] = now_unix_ms();
  if (auto w = sources.put(ctx.org_id(), id, *next); !w) co_return mstr_error(ctx, w.error());
  co_return json_response(ctx, status::ok, render(app, ctx.org_id(), id, *next));
}

asio::awaitable<Response> remove(App& app, RequestContext& ctx) {
  const std::string id = normalized_mstr_id(ctx.params.at("id"));
  CompatRecords sources(*app.store, kDatasourceKind);
  auto r = sources.get(ctx.org_id(), id);
  if (!r) co_return mstr_error(ctx, r.error());
  if (!*r) co_return mstr_error(ctx, datasource_not_found(id));
  if (auto e = sources.erase(ctx.org_id(), id); !e) co_return mstr_error(ctx, e.error());
  co_return empty_response(ctx, status::no_content);
}

}  // namespace

void register_mstr_datasource_routes(App& app, const std::shared_ptr<MstrSessions>& sessions) {
  add_mstr_route(app, sessions, verb::post, "/api/datasources", create);
  add_mstr_route(app, sessions, verb::get, "/api/datasources", list);
  add_mstr_route(app, sessions, verb::get, "/api/datasources/{id}", get_one);
  add_mstr_route(app, sessions, verb::patch, "/api/datasources/{id}", patch);
  add_mstr_route(app, sessions, verb::delete_, "/api/datasources/{id}", remove);
}

}  // namespace dsb::server::api::compat
