#include "server/api/compat/maiascore_mapping.hpp"

#include "core/clock.hpp"
#include "core/json_path.hpp"
#include "server/api/compat/loose_values.hpp"

#include <array>
#include <utility>

namespace dsb::server::api::compat {
namespace json = boost::json;

namespace {

// maiascore name <-> native path, for the fields that differ.
constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kRenames = {{
    {"driver", "type"},
    {"ssl", "tls.mode"},
    {"sslCA", "tls.ca"},
    {"certificate", "tls.cert"},
    {"keyfile", "tls.key"},
    {"ssh", "ssh.enabled"},
    {"sshHost", "ssh.host"},
    {"sshPort", "ssh.port"},
    {"sshUsername", "ssh.username"},
    {"sshPassword", "ssh.password"},
    {"sshIdentity", "ssh.private_key"},
}};

constexpr std::string_view kDirect[] = {"name", "host", "username", "password", "database"};
constexpr std::string_view kFlags[] = {"driver", "port", "ssl", "sshTunneling"};
// Managed by the server; clients echo them back from GET, so they are ignored.
constexpr std::string_view kServerManaged[] = {"id",         "_id",        "published_at",
                                               "created_by", "updated_by", "created_at",
                                               "updated_at", "createdAt",  "updatedAt"};

template <std::size_t N>
bool contains(const std::string_view (&list)[N], std::string_view key) {
  for (auto k : list)
    if (k == key) return true;
  return false;
}

bool is_known(std::string_view key) {
  if (contains(kDirect, key) || contains(kFlags, key) || contains(kServerManaged, key)) return true;
  for (const auto& [flat, native] : kRenames)
    if (flat == key) return true;
  return false;
}

std::string string_at(const json::object& o, std::string_view path) {
  const json::value* v = find_path(o, path);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::string port_text(const json::object& o, std::string_view path) {
  const json::value* v = find_path(o, path);
  return v != nullptr && v->is_int64() ? std::to_string(v->get_int64()) : std::string();
}

bool enabled_block(const json::object& native, std::string_view block) {
  const json::value* v = native.if_contains(block);
  if (v == nullptr || !v->is_object()) return false;
  if (block == "tls") return string_at(native, "tls.mode") != "disable";
  const json::value* e = v->get_object().if_contains("enabled");
  return e != nullptr && e->is_bool() && e->get_bool();
}

// Sets `path` from the flat field `key` when the body has it: "" clears it.
void copy_text(json::object& native, const json::object& flat, std::string_view key,
               std::string_view path, std::vector<FieldProblem>& problems) {
  if (!flat.contains(key)) return;
  if (auto v = loose_string(flat, key, problems, true))
    set_path(native, path, json::value(*v));
  else
    erase_path(native, path);
}

void apply_tls(json::object& native, const json::object& flat,
               std::vector<FieldProblem>& problems) {
  const auto ssl = loose_bool(flat, "ssl", problems);
  const bool on = ssl.value_or(enabled_block(native, "tls"));
  json::value* options = native.if_contains("options");
  if (options != nullptr && options->is_object() && options->get_object().contains("ssl"))
    options->get_object()["ssl"] = on ? "enable" : "disable";  // Databrain's switch follows
  if (!on) {
    native.erase("tls");
    return;
  }
  if (!enabled_block(native, "tls")) native["tls"] = json::object{};
  copy_text(native, flat, "sslCA", "tls.ca", problems);
  copy_text(native, flat, "certificate", "tls.cert", problems);
  copy_text(native, flat, "keyfile", "tls.key", problems);
  if (!flat.contains("ssl") && !flat.contains("sslCA")) return;  // the stored mode stands
  // With a CA the server's chain is checked; without, the link is only encrypted.
  const bool has_ca = !string_at(native, "tls.ca").empty();
  const std::string mode = string_at(native, "tls.mode");
  set_path(native, "tls.mode",
           json::value(!has_ca                 ? "require"
                       : mode == "verify-full" ? "verify-full"
                                               : "verify-ca"));
}

void apply_ssh(json::object& native, const json::object& flat,
               std::vector<FieldProblem>& problems) {
  const auto ssh = loose_bool(flat, "ssh", problems);
  const auto tunnel = loose_bool(flat, "sshTunneling", problems);
  bool on = enabled_block(native, "ssh");
  if (ssh || tunnel) on = ssh.value_or(false) || tunnel.value_or(false);
  if (!on) {
    native.erase("ssh");
    return;
  }
  if (!enabled_block(native, "ssh")) native["ssh"] = json::object{{"enabled", true}};
  copy_text(native, flat, "sshHost", "ssh.host", problems);
  copy_text(native, flat, "sshUsername", "ssh.username", problems);
  copy_text(native, flat, "sshPassword", "ssh.password", problems);
  copy_text(native, flat, "sshIdentity", "ssh.private_key", problems);
  if (flat.contains("sshPort")) {
    if (auto p = loose_int(flat, "sshPort", problems, true))
      set_path(native, "ssh.port", json::value(*p));
    else
      erase_path(native, "ssh.port");
  }
}

}  // namespace

std::string maiascore_field(std::string_view native_path) {
  for (const auto& [flat, native] : kRenames)
    if (native == native_path) return std::string(flat);
  return std::string(native_path);
}

std::string maiascore_time(std::int64_t unix_ms) {
  const std::string t = rfc3339(unix_ms);  // 2019-08-24T14:15:22.123Z
  return t.size() > 19 ? t.substr(0, 19) + "Z" : t;
}

Result<void> maiascore_apply(json::object& native, const json::object& flat, bool require_driver) {
  std::vector<FieldProblem> problems;
  for (const auto& kv : flat)
    if (!is_known(kv.key())) problems.push_back({std::string(kv.key()), "unknown field"});
  if (const json::value* d = flat.if_contains("driver"); d != nullptr && !d->is_null())
    native["type"] = *d;
  else if (require_driver)
    problems.push_back({"driver", "is required"});
  for (auto key : kDirect) {
    const json::value* v = flat.if_contains(key);
    if (v == nullptr) continue;
    if (v->is_null() && key != "password")
      native.erase(key);
    else
      native[key] = *v;
  }
  // Credentials given here replace those of a reusable login.
  if (flat.contains("username") || flat.contains("password")) native.erase("login_id");
  if (flat.contains("port")) {
    if (auto port = loose_int(flat, "port", problems, true))
      native["port"] = *port;
    else
      native.erase("port");
  }
  apply_tls(native, flat, problems);
  apply_ssh(native, flat, problems);
  if (!problems.empty()) return invalid_body(std::move(problems));
  return {};
}

json::object maiascore_view(const store::DatasourceRecord& r, const std::string& login_username) {
  const json::object& c = r.config;
  const std::string mode = string_at(c, "tls.mode");
  const bool ssl = mode.empty() ? string_at(c, "options.ssl") == "enable" : mode != "disable";
  const json::value* enabled = find_path(c, "ssh.enabled");
  const bool ssh = enabled != nullptr && enabled->is_bool() && enabled->get_bool();
  const std::string username = login_username.empty() ? string_at(c, "username") : login_username;
  return {{"id", r.id},
          {"driver", r.type},
          {"host", string_at(c, "host")},
          {"username", username},
          {"database", string_at(c, "database")},
          {"port", port_text(c, "port")},
          {"ssl", ssl},
          {"certificate", string_at(c, "tls.cert")},
          {"sslCA", string_at(c, "tls.ca")},
          {"ssh", ssh},
          {"sshHost", ssh ? string_at(c, "ssh.host") : std::string()},
          {"sshUsername", ssh ? string_at(c, "ssh.username") : std::string()},
          {"sshPort", ssh ? port_text(c, "ssh.port") : std::string()},
          {"sshTunneling", ssh},
          {"published_at", maiascore_time(r.published_at_ms)},
          {"created_by", r.created_by},
          {"updated_by", r.updated_by}};
}

}  // namespace dsb::server::api::compat
