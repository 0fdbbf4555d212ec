#include "tenancy/client_router.hpp"

#include <charconv>
#include <regex>

namespace dsb::tenancy {

namespace {

constexpr std::size_t kMaxClientId = 200;

Failure bad_client(std::string message) {
  Failure f = fail(404, "CLIENT_NOT_FOUND", std::move(message));
  f.details.push_back({"client", "is not a valid client id for this datasource"});
  return f;
}

bool is_integer(std::string_view s) {
  if (s.empty() || s.size() > 19) return false;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

ClientRouter::ClientRouter(TenancySettings settings, QuoteIdentifier quote,
                           std::function<std::string(int)> placeholder)
    : settings_(std::move(settings)), quote_(std::move(quote)), placeholder_(std::move(placeholder)) {}

bool ClientRouter::allowed(std::string_view id) const {
  if (settings_.client_allow_pattern.empty()) return true;
  try {
    return std::regex_match(id.begin(), id.end(), std::regex(settings_.client_allow_pattern));
  } catch (const std::regex_error&) {
    return false;  // validated on save; a pattern that no longer compiles admits no one
  }
}

Result<ClientRoute> ClientRouter::route(std::string_view client_id) const {
  if (client_id.empty() || client_id.size() > kMaxClientId)
    return bad_client("client ids are 1 to 200 characters");
  for (unsigned char c : client_id)
    if (c < 0x20 || c == 0x7F) return bad_client("client ids contain no control characters");
  ClientRoute r;
  r.client_id = std::string(client_id);
  if (settings_.level == TenancySettings::Level::table) {
    if (settings_.numeric_ids && !is_integer(client_id))
      return bad_client("client '" + r.client_id + "' is not an integer, and this datasource's client ids are NUMBERs");
    r.filter_column = settings_.client_column;
    r.filter_value = r.client_id;
    return r;
  }
  if (!allowed(client_id)) return bad_client("client '" + r.client_id + "' is not in the allow-list");
  std::string db = settings_.database_pattern;
  const auto at = db.find("{client}");
  if (at == std::string::npos) return bad_client("the datasource's database pattern has no {client}");
  db.replace(at, 8, client_id);
  r.database = std::move(db);
  return r;
}

ParameterizedQuery ClientRouter::list_clients(std::size_t limit, std::size_t offset) const {
  const auto& s = settings_;
  return {"SELECT " + quote_(s.primary_key_column) + ", " + quote_(s.client_name_column) + " FROM " +
              quote_(s.schema_name) + "." + quote_(s.table_name) + " ORDER BY " +
              quote_(s.primary_key_column) + " LIMIT " + std::to_string(limit) + " OFFSET " +
              std::to_string(offset),
          {}};
}

ParameterizedQuery ClientRouter::find_client(const ClientRoute& route) const {
  const auto& s = settings_;
  return {"SELECT " + quote_(s.primary_key_column) + ", " + quote_(s.client_name_column) + " FROM " +
              quote_(s.schema_name) + "." + quote_(s.table_name) + " WHERE " +
              quote_(s.primary_key_column) + " = " + placeholder_(1),
          {route.filter_value}};
}

ParameterizedQuery ClientRouter::mapping_columns(std::string_view) const {
  // information_schema is common to PostgreSQL and MySQL; ClickHouse needs its own dialect.
  return {"SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = " +
              placeholder_(1) + " AND table_name = " + placeholder_(2),
          {settings_.schema_name, settings_.table_name}};
}

std::optional<std::string> ClientRouter::client_of_database(std::string_view database) const {
  const std::string& p = settings_.database_pattern;
  const auto at = p.find("{client}");
  if (at == std::string::npos) return std::nullopt;
  const std::string_view prefix(p.data(), at);
  const std::string_view suffix(p.data() + at + 8, p.size() - at - 8);
  if (database.size() <= prefix.size() + suffix.size() || !database.starts_with(prefix) ||
      !database.ends_with(suffix))
    return std::nullopt;
  std::string id(database.substr(prefix.size(), database.size() - prefix.size() - suffix.size()));
  if (!allowed(id)) return std::nullopt;
  return id;
}

}  // namespace dsb::tenancy
