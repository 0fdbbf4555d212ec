#include "server/api/compat/loose_values.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace dsb::server::api::compat {
namespace json = boost::json;

namespace {

const json::value* present(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return nullptr;
  if (v->is_string() && v->get_string().empty()) return nullptr;
  return v;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::optional<bool> loose_bool(const json::object& o, std::string_view key,
                               std::vector<FieldProblem>& problems) {
  const json::value* v = present(o, key);
  if (v == nullptr) return std::nullopt;
  if (v->is_bool()) return v->get_bool();
  if (v->is_string()) {
    const std::string s = lower(v->get_string());
    if (s == "true" || s == "1") return true;
    if (s == "false" || s == "0") return false;
  }
  problems.push_back({std::string(key), "must be true or false"});
  return std::nullopt;
}

std::optional<std::int64_t> loose_int(const json::object& o, std::string_view key,
                                      std::vector<FieldProblem>& problems, bool port) {
  const json::value* v = present(o, key);
  if (v == nullptr) return std::nullopt;
  std::optional<std::int64_t> n;
  if (v->is_int64()) n = v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    n = static_cast<std::int64_t>(v->get_uint64());
  if (v->is_string()) {
    const std::string_view s = v->get_string();
    std::int64_t parsed = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), parsed);
    if (ec == std::errc() && end == s.data() + s.size()) n = parsed;
  }
  if (!n || (port && (*n < 1 || *n > 65535))) {
    problems.push_back(
        {std::string(key), port ? "must be a port number (1-65535)" : "must be an integer"});
    return std::nullopt;
  }
  return n;
}

std::optional<std::string> loose_string(const json::object& o, std::string_view key,
                                        std::vector<FieldProblem>& problems, bool empty_is_absent) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_string()) {
    problems.push_back({std::string(key), "must be a string"});
    return std::nullopt;
  }
  if (empty_is_absent && v->get_string().empty()) return std::nullopt;
  return std::string(v->get_string());
}

std::string with_details(const Failure& f,
                         const std::function<std::string(std::string_view)>& rename) {
  std::string out = f.message;
  std::string list;
  for (const auto& d : f.details) {
    if (!list.empty()) list += "; ";
    list += (rename ? rename(d.field) : d.field) + ": " + d.problem;
  }
  if (!list.empty()) out += ": " + list;
  return out;
}

}  // namespace dsb::server::api::compat
