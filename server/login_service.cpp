#include "server/login_service.hpp"

#include "core/clock.hpp"
#include "core/ids.hpp"

#include <boost/json/value_to.hpp>

#include <algorithm>
#include <cctype>

namespace dsb::server {
namespace json = boost::json;
using store::LoginRecord;

namespace {

constexpr std::size_t kMaxText = 1000;

Failure login_not_found(std::string_view id) {
  return fail(404, "NOT_FOUND", "login '" + std::string(id) + "' does not exist");
}

// A MicroStrategy-style id: 32 upper-case hex characters.
std::string new_login_id() {
  std::string id = random_hex(16);
  std::transform(id.begin(), id.end(), id.begin(), ::toupper);
  return id;
}

void check_text(const json::object& body, const char* field, bool required,
                std::vector<FieldProblem>& problems) {
  const json::value* v = body.if_contains(field);
  if (v == nullptr || v->is_null()) {
    if (required) problems.push_back({field, "is required"});
    return;
  }
  if (!v->is_string()) return problems.push_back({field, "must be a string"});
  if (v->as_string().size() > kMaxText) problems.push_back({field, "must be at most 1000 characters"});
  if (required && v->as_string().empty()) problems.push_back({field, "must not be empty"});
}

}  // namespace

Result<void> LoginService::apply(LoginRecord& r, const json::object& body, bool partial) const {
  std::vector<FieldProblem> problems;
  for (const auto& [k, _] : body)
    if (k != "name" && k != "username" && k != "password" && k != "description")
      problems.push_back({std::string(k), "unknown field"});
  check_text(body, "name", !partial, problems);
  check_text(body, "username", !partial, problems);
  check_text(body, "description", false, problems);
  if (const json::value* p = body.if_contains("password"); p && !p->is_string() && !p->is_null())
    problems.push_back({"password", "must be a string or null"});
  if (!problems.empty()) return invalid_body(std::move(problems));

  auto text = [&](const char* k, std::string& out) {
    if (const json::value* v = body.if_contains(k); v && v->is_string()) out = std::string(v->as_string());
    else if (!partial) out.clear();
  };
  text("name", r.name);
  text("username", r.username);
  text("description", r.description);
  if (const json::value* p = body.if_contains("password")) {
    if (p->is_null()) {
      r.password_envelope.clear();
    } else {
      auto sealed = app_.vault->seal(p->as_string(), store::secret_aad(r.org_id, r.id, "password"));
      if (!sealed) return sealed.error();
      r.password_envelope = std::move(*sealed);
    }
  }
  return {};
}

Result<void> LoginService::check_name_free(const LoginRecord& r) const {
  auto owner = app_.logins->id_by_name(r.org_id, r.name);
  if (!owner) return owner.error();
  if (*owner && **owner != r.id) {
    Failure f = fail(409, "LOGIN_NAME_ERROR", "a login named '" + r.name + "' already exists");
    f.details.push_back({"name", "already exists"});
    return f;
  }
  return {};
}

Result<LoginRecord> LoginService::create(std::string_view org_id, const json::object& body) {
  LoginRecord r;
  r.id = new_login_id();
  r.org_id = std::string(org_id);
  if (auto a = apply(r, body, false); !a) return a.error();
  if (auto n = check_name_free(r); !n) return n.error();
  r.created_at_ms = r.updated_at_ms = now_unix_ms();
  if (auto w = app_.logins->put(r, ""); !w) return w.error();
  return r;
}

Result<LoginRecord> LoginService::update(std::string_view org_id, std::string_view id,
                                         const json::object& body, bool partial) {
  auto current = get(org_id, id);
  if (!current) return current.error();
  LoginRecord next = *current;
  if (auto a = apply(next, body, partial); !a) return a.error();
  if (auto n = check_name_free(next); !n) return n.error();
  next.version = current->version + 1;
  next.updated_at_ms = now_unix_ms();
  if (auto w = app_.logins->put(next, current->name); !w) return w.error();
  return next;
}

Result<LoginRecord> LoginService::get(std::string_view org_id, std::string_view id) const {
  auto r = app_.logins->get(org_id, id);
  if (!r) return r.error();
  if (!*r) return login_not_found(id);
  return std::move(**r);
}

Result<void> LoginService::remove(std::string_view org_id, std::string_view id) {
  auto r = get(org_id, id);
  if (!r) return r.error();
  std::vector<std::string> users;
  std::string cursor;
  for (;;) {
    auto page = app_.datasources->list(org_id, cursor, 500, "");
    if (!page) return page.error();
    for (const auto& ds : page->items)
      if (const json::value* l = ds.config.if_contains("login_id"); l && l->is_string() && l->as_string() == id)
        users.push_back(ds.name);
    if (page->next_cursor.empty()) break;
    cursor = page->next_cursor;
  }
  if (!users.empty()) {
    std::string names;
    for (const auto& n : users) names += (names.empty() ? "" : ", ") + n;
    Failure f = fail(409, "LOGIN_IN_USE", "login '" + r->name + "' is used by datasources: " + names);
    for (const auto& n : users) f.details.push_back({"datasource", n});
    return f;
  }
  return app_.logins->erase(*r);
}

Result<Credentials> LoginService::credentials(std::string_view org_id, std::string_view id) const {
  auto r = get(org_id, id);
  if (!r) return r.error();
  Credentials c{r->username, {}};
  if (!r->password_envelope.empty()) {
    auto plain = app_.vault->open(r->password_envelope, store::secret_aad(r->org_id, r->id, "password"));
    if (!plain) return plain.error();
    c.password = std::move(*plain);
  }
  return c;
}

json::object LoginService::render(const LoginRecord& r) const {
  return {{"id", r.id},
          {"name", r.name},
          {"username", r.username},
          {"description", r.description},
          {"password", json::object{{"set", !r.password_envelope.empty()}}},
          {"version", r.version},
          {"created_at", rfc3339(r.created_at_ms)},
          {"updated_at", rfc3339(r.updated_at_ms)}};
}

}  // namespace dsb::server
