// maiascore's /datasources (a Strapi-style collection): create and update
// test the connection first; bodies as JSON, XML or form-urlencoded;
// errors as {"code": <status>, "message"}; a missing or bad token is 403.
#include "core/ids.hpp"
#include "server/api/compat/compat_jobs.hpp"
#include "server/api/compat/datasource_range.hpp"
#include "server/api/compat/loose_values.hpp"
#include "server/api/compat/maiascore_mapping.hpp"
#include "server/api/routes.hpp"
#include "server/codecs/body_codec.hpp"

#include <charconv>

namespace dsb::server::api {
namespace json = boost::json;
namespace asio = boost::asio;
using http::status;
using http::verb;

namespace {

using namespace compat;

constexpr std::size_t kDefaultLimit = 100;  // Strapi's default page
constexpr std::size_t kMaxNamePart = 60;

Response maiascore_error(const RequestContext& ctx, const Failure& f) {
  const int code =
      f.status == 401 ? 403 : f.status;  // maiascore: "Forbidden" without a valid token
  return json_response(
      ctx, static_cast<status>(code),
      json::object{{"code", code}, {"message", with_details(f, &maiascore_field)}});
}

Result<json::object> decode(const RequestContext& ctx) {
  auto it = ctx.req.find(http::field::content_type);
  const std::string_view type = it == ctx.req.end()
                                    ? std::string_view()
                                    : std::string_view(it->value().data(), it->value().size());
  return codecs::decode_body(type, ctx.req.body());
}

// maiascore records have no name; the native one is made from what they have.
std::string generated_name(const json::object& flat) {
  std::string name;
  for (const char* key : {"driver", "host", "database"}) {
    const json::value* v = flat.if_contains(key);
    if (v == nullptr || !v->is_string() || v->get_string().empty()) continue;
    name += std::string(v->get_string()).substr(0, kMaxNamePart) + "-";
  }
  for (char& c : name)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '_';
  return (name.empty() ? std::string("datasource-") : name) + random_hex(3);
}

json::object view(const App& app, const store::DatasourceRecord& r) {
  std::string login_username;
  if (const json::value* l = r.config.if_contains("login_id"); l && l->is_string())
    if (auto login = app.logins->get(r.org_id, l->get_string()); login && *login)
      login_username = (*login)->username;
  return maiascore_view(r, login_username);
}

json::object native_body(const store::DatasourceRecord& r) {
  json::object body = r.config;
  body["name"] = r.name;
  body["type"] = r.type;
  return body;
}

Result<std::size_t> size_param(const RequestContext& ctx, const char* key, std::size_t fallback) {
  const std::string text = ctx.query_or(key);
  if (text.empty() || text == "-1") return ok(text.empty() ? fallback : SIZE_MAX);
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size())
    return fail(400, "INVALID_REQUEST", std::string(key) + " must be a non-negative integer");
  return ok(n);
}

asio::awaitable<Response> create(App& app, RequestContext& ctx) {
  auto flat = decode(ctx);
  if (!flat) co_return maiascore_error(ctx, flat.error());
  json::object body{{"name", generated_name(*flat)}};
  if (auto a = maiascore_apply(body, *flat, true); !a) co_return maiascore_error(ctx, a.error());
  WriteWork work =
      [&app, org = ctx.org_id(), actor = ctx.actor(), body = std::move(body)](
          drivers::StageReporter::Sink progress) -> asio::awaitable<Result<WriteOutcome>> {
    WriteOptions opts = compat_write_options(app, true);
    opts.progress = std::move(progress);
    json::object draft = body;
    co_return co_await app.datasource_service->create(org, actor, std::move(draft), opts);
  };
  std::string no_datasource_yet;
  auto out =
      co_await run_write_job(app, ctx, std::move(no_datasource_yet), "create", std::move(work));
  if (!out) co_return maiascore_error(ctx, out.error());
  co_return json_response(ctx, status::ok, view(app, out->record));
}

asio::awaitable<Response> update(App& app, RequestContext& ctx) {
  const std::string id = ctx.params.at("id");
  auto current = app.datasource_service->get(ctx.org_id(), id);
  if (!current) co_return maiascore_error(ctx, current.error());
  auto flat = decode(ctx);
  if (!flat) co_return maiascore_error(ctx, flat.error());
  json::object body = native_body(*current);
  if (auto a = maiascore_apply(body, *flat, false); !a) co_return maiascore_error(ctx, a.error());
  WriteWork work =
      [&app, org = ctx.org_id(), actor = ctx.actor(), id, body = std::move(body)](
          drivers::StageReporter::Sink progress) -> asio::awaitable<Result<WriteOutcome>> {
    WriteOptions opts = compat_write_options(app, true);
    opts.progress = std::move(progress);
    json::object draft = body;
    co_return co_await app.datasource_service->replace(org, actor, id, std::move(draft), opts);
  };
  auto out = co_await run_write_job(app, ctx, id, "update", std::move(work));
  if (!out) co_return maiascore_error(ctx, out.error());
  co_return json_response(ctx, status::ok, view(app, out->record));
}

asio::awaitable<Response> list(App& app, RequestContext& ctx) {
  auto limit = size_param(ctx, "_limit", kDefaultLimit);
  if (!limit) co_return maiascore_error(ctx, limit.error());
  auto start = size_param(ctx, "_start", 0);
  if (!start) co_return maiascore_error(ctx, start.error());
  auto items = datasource_range(app, ctx.org_id(), *start, *limit, ctx.query_or("driver"));
  if (!items) co_return maiascore_error(ctx, items.error());
  json::array out;
  for (const auto& r : *items) out.push_back(view(app, r));
  co_return json_response(ctx, status::ok, out);
}

asio::awaitable<Response> count(App& app, RequestContext& ctx) {
  const std::string driver = ctx.query_or("driver");
  if (driver.empty()) {
    auto n = app.datasources->count(ctx.org_id());
    if (!n) co_return maiascore_error(ctx, n.error());
    co_return json_response(ctx, status::ok, json::value(static_cast<std::uint64_t>(*n)));
  }
  auto items = datasource_range(app, ctx.org_id(), 0, SIZE_MAX, driver);
  if (!items) co_return maiascore_error(ctx, items.error());
  co_return json_response(ctx, status::ok, json::value(static_cast<std::uint64_t>(items->size())));
}

asio::awaitable<Response> get_one(App& app, RequestContext& ctx) {
  auto r = app.datasource_service->get(ctx.org_id(), ctx.params.at("id"));
  if (!r) co_return maiascore_error(ctx, r.error());
  co_return json_response(ctx, status::ok, view(app, *r));
}

// Strapi answers a delete with the record it deleted.
asio::awaitable<Response> remove(App& app, RequestContext& ctx) {
  auto r = app.datasource_service->get(ctx.org_id(), ctx.params.at("id"));
  if (!r) co_return maiascore_error(ctx, r.error());
  json::object deleted = view(app, *r);
  if (auto d = app.datasource_service->remove(ctx.org_id(), r->id, std::nullopt); !d)
    co_return maiascore_error(ctx, d.error());
  co_return json_response(ctx, status::ok, deleted);
}

void add(App& app, verb method, const char* pattern,
         asio::awaitable<Response> (*fn)(App&, RequestContext&)) {
  add_dialect_route(app, method, pattern, fn, &maiascore_error);
}

}  // namespace

void register_maiascore_routes(App& app) {
  add(app, verb::post, "/datasources", create);
  add(app, verb::get, "/datasources", list);
  add(app, verb::get, "/datasources/count", count);
  add(app, verb::get, "/datasources/{id}", get_one);
  add(app, verb::put, "/datasources/{id}", update);
  add(app, verb::delete_, "/datasources/{id}", remove);
}

}  // namespace dsb::server::api
