#include "server/api/compat/mstr_common.hpp"

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "drivers/catalogue/catalogue.hpp"
#include "server/api/compat/loose_values.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace dsb::server::api::compat {
namespace json = boost::json;

namespace {

// MicroStrategy's database types and the catalogue's names; the first
// entry of a native type is the one shown.
constexpr std::array<std::pair<std::string_view, std::string_view>, 17> kTypes = {{
    {"snow_flake", "snowflake"},
    {"postgre_sql", "postgres"},
    {"amazon_redshift", "redshift"},
    {"cockroach_db", "cockroachdb"},
    {"my_sql", "mysql"},
    {"maria_db", "mysql"},
    {"single_store", "singlestore"},
    {"click_house", "clickhouse"},
    {"sql_server", "mssql"},
    {"mongo_db", "mongodb"},
    {"big_query", "bigquery"},
    {"google_big_query", "bigquery"},
    {"databricks", "databricks"},
    {"elastic_search", "elasticsearch"},
    {"amazon_athena", "athena"},
    {"firebolt", "firebolt"},
    {"trino", "trino"},
}};

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), ::toupper);
  return out;
}

bool only_missing(const Failure& f) {
  return !f.details.empty() && std::all_of(f.details.begin(), f.details.end(), [](const auto& d) {
    return d.problem == "is required";
  });
}

std::string_view mstr_code(const Failure& f) {
  if (f.code == "LOGIN_FAILED") return "ERR003";
  if (f.status == 401) return "ERR009";
  if (f.status == 404) return "ERR004";
  if (f.status == 400 && f.code == "INVALID_REQUEST_BODY")
    return only_missing(f) ? "ERR005" : "ERR006";
  return "ERR001";
}

}  // namespace

Response mstr_error(const RequestContext& ctx, const Failure& f) {
  return json_response(
      ctx, static_cast<http::status>(f.status),
      json::object{
          {"code", mstr_code(f)}, {"message", with_details(f)}, {"ticketId", ctx.request_id}});
}

std::string mstr_time(std::int64_t unix_ms) {
  std::string t = rfc3339(unix_ms);  // 2021-08-04T15:44:35.000Z
  if (!t.empty() && t.back() == 'Z') t.pop_back();
  return t + "+0000";
}

std::string mstr_id_of_uuid(std::string_view uuid) {
  std::string out;
  for (char c : uuid)
    if (c != '-') out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::string> uuid_of_mstr_id(std::string_view id) {
  if (id.size() != 32) return std::nullopt;
  std::string lower;
  for (char c : id) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string uuid = lower.substr(0, 8) + "-" + lower.substr(8, 4) + "-" + lower.substr(12, 4) +
                     "-" + lower.substr(16, 4) + "-" + lower.substr(20);
  if (!looks_like_uuid(uuid)) return std::nullopt;
  return uuid;
}

std::string normalized_mstr_id(std::string_view id) {
  return upper(id);
}

std::string new_mstr_id() {
  return upper(random_hex(16));
}

Result<std::vector<ReplaceOp>> parse_operation_list(const json::object& body,
                                                    const std::vector<std::string_view>& allowed) {
  const json::value* list = body.if_contains("operationList");
  if (list == nullptr || !list->is_array() || list->get_array().empty())
    return invalid_body({{"operationList", "is required (a non-empty array)"}});
  std::vector<ReplaceOp> ops;
  std::vector<FieldProblem> problems;
  for (std::size_t i = 0; i < list->get_array().size(); ++i) {
    const json::value& item = list->get_array()[i];
    const std::string at = "operationList[" + std::to_string(i) + "]";
    if (!item.is_object()) {
      problems.push_back({at, "must be an object"});
      continue;
    }
    const std::string op = str_at(item.get_object(), "op");
    const std::string path = str_at(item.get_object(), "path");
    if (op != "replace" && op != "add")
      problems.push_back({at + ".op", "must be \"replace\""});
    else if (std::find(allowed.begin(), allowed.end(), path) == allowed.end())
      problems.push_back({at + ".path", "cannot be changed: " + (path.empty() ? "(none)" : path)});
    else if (!item.get_object().contains("value"))
      problems.push_back({at + ".value", "is required"});
    else
      ops.push_back({path, item.get_object().at("value")});
  }
  if (!problems.empty()) return invalid_body(std::move(problems));
  return ops;
}

void apply_replace(json::object& target, const ReplaceOp& op) {
  json::object* at = &target;
  std::string_view rest = std::string_view(op.path).substr(1);
  for (auto slash = rest.find('/'); slash != std::string_view::npos; slash = rest.find('/')) {
    json::value& next = (*at)[rest.substr(0, slash)];
    if (!next.is_object()) next = json::object{};
    at = &next.as_object();
    rest = rest.substr(slash + 1);
  }
  (*at)[rest] = op.value;
}

std::optional<std::string> native_type_of_mstr(std::string_view mstr_type) {
  for (const auto& [mstr, native] : kTypes)
    if (mstr == mstr_type) return std::string(native);
  if (const auto* entry = drivers::find_type(mstr_type)) return entry->name;
  return std::nullopt;
}

std::string mstr_type_of_native(std::string_view native_type) {
  for (const auto& [mstr, native] : kTypes)
    if (native == native_type) return std::string(mstr);
  return std::string(native_type);
}

std::string str_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace dsb::server::api::compat
