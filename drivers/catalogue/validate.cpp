// The generic half of validation: unknown fields, JSON types, required
// fields, allowed values, lengths and port ranges. Type-specific rules live
// beside each type (types_*.cpp), the blocks in blocks.cpp.
#include "drivers/catalogue/catalogue_internal.hpp"

#include <algorithm>

namespace dsb::drivers::catalogue {
namespace {

constexpr std::size_t kMaxString = 4096;  // host names, identifiers, passwords
constexpr std::size_t kMaxText = 65536;   // PEM blocks, key files
constexpr std::int64_t kMinPort = 1;
constexpr std::int64_t kMaxPort = 65535;

bool is_port(std::string_view path) {
  return path == "port" || (path.size() > 5 && path.substr(path.size() - 5) == ".port");
}

bool satisfied_by_login(std::string_view path) {
  return path == "username" || path == "password";
}

std::string one_of(const std::vector<std::string>& allowed) {
  std::string s = "must be one of: ";
  for (std::size_t i = 0; i < allowed.size(); ++i) {
    if (i > 0) s += ", ";
    s += allowed[i];
  }
  return s;
}

void check_string(const json::value& v, const FieldSpec& spec, Problems& p) {
  if (!v.is_string()) return p.add(spec.path, "must be a string");
  const json::string& s = v.get_string();
  const std::size_t max = spec.kind == FieldKind::text ? kMaxText : kMaxString;
  if (std::find(s.begin(), s.end(), '\0') != s.end())
    return p.add(spec.path, "must not contain NUL bytes");
  if (s.size() > max) return p.add(spec.path, "must be at most " + std::to_string(max) + " bytes");
  // An empty secret is a value (a blank password); an empty host is not.
  if (spec.required && !spec.secret && s.empty()) p.add(spec.path, "must not be empty");
}

void check_integer(const json::value& v, const FieldSpec& spec, Problems& p) {
  if (!v.is_int64() && !v.is_uint64()) return p.add(spec.path, "must be an integer");
  if (!is_port(spec.path)) return;
  const bool in_range = v.is_int64() ? v.get_int64() >= kMinPort && v.get_int64() <= kMaxPort
                                     : v.get_uint64() <= static_cast<std::uint64_t>(kMaxPort);
  if (!in_range) p.add(spec.path, "must be between 1 and 65535");
}

const FieldSpec* find_spec(const std::vector<FieldSpec>& fields, std::string_view path) {
  for (const FieldSpec& f : fields)
    if (f.path == path) return &f;
  return nullptr;
}

bool is_block(std::string_view key) {
  return key == "tls" || key == "ssh" || key == "tenancy";
}

void check_unknown(const TypeEntry& entry, const json::object& body, Problems& p) {
  for (const auto& kv : body) {
    const std::string_view key = kv.key();
    if (is_block(key)) continue;  // check_blocks
    if (key != "options") {
      if (find_spec(entry.fields, key) == nullptr) p.add(std::string(key), "unknown field");
      continue;
    }
    if (!kv.value().is_object()) {
      p.add("options", "must be an object");
      continue;
    }
    for (const auto& opt : kv.value().get_object()) {
      std::string path = "options." + std::string(opt.key());
      if (find_spec(entry.fields, path) == nullptr) p.add(std::move(path), "unknown field");
    }
  }
}

}  // namespace

void check_field(const json::object& body, const FieldSpec& spec, bool login_present, Problems& p) {
  const json::value* v = lookup(body, spec.path);
  // A secret's null means "clear the stored value": absent for required checks.
  if (v == nullptr || (v->is_null() && spec.secret)) {
    if (spec.required && !(login_present && satisfied_by_login(spec.path)))
      p.add(spec.path, "is required");
    return;
  }
  switch (spec.kind) {
    case FieldKind::string:
    case FieldKind::text:
      return check_string(*v, spec, p);
    case FieldKind::integer:
      return check_integer(*v, spec, p);
    case FieldKind::boolean:
      if (!v->is_bool()) p.add(spec.path, "must be a boolean");
      return;
    case FieldKind::enumeration: {
      const json::string* s = v->if_string();
      if (s == nullptr || std::find(spec.allowed.begin(), spec.allowed.end(),
                                    std::string_view(*s)) == spec.allowed.end())
        p.add(spec.path, one_of(spec.allowed));
      return;
    }
    case FieldKind::object:
      if (!v->is_object()) p.add(spec.path, "must be an object");
      return;
  }
}

}  // namespace dsb::drivers::catalogue

namespace dsb::drivers {

void validate_datasource(const TypeEntry& entry, const boost::json::object& body,
                         const ValidationContext& ctx, std::vector<FieldProblem>& problems) {
  using namespace catalogue;
  Problems p(problems);
  const TypeRules& rules = rules_for(entry);
  check_unknown(entry, body, p);

  const bool has_login = find_spec(entry.fields, "login_id") != nullptr;
  const bool login = has_login && present(body, "login_id");
  for (const FieldSpec& spec : entry.fields) check_field(body, spec, login, p);
  if (login && (present(body, "username") || present(body, "password")))
    p.add("login_id", "must not be combined with username or password");
  if (find_spec(entry.fields, "host") != nullptr) check_host(body, "host", p);

  check_blocks(entry, rules, body, p);
  if (rules.check != nullptr) rules.check(body, ctx, p);
}

}  // namespace dsb::drivers
