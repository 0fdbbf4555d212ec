// Reading a body by dotted path, and the format checks several types share.
// Problem texts never quote the value: it may be a secret.
#include "drivers/catalogue/catalogue_internal.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>

namespace dsb::drivers::catalogue {
namespace {

bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_control(char c) {
  return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
}

// The string at `path` when it is one; other shapes were reported by check_field.
const json::string* string_at(const json::object& body, std::string_view path) {
  const json::value* v = lookup(body, path);
  return v != nullptr ? v->if_string() : nullptr;
}

bool is_aws_region(std::string_view s) {
  // us-east-1, eu-central-2, us-gov-west-1, us-isob-east-1, cn-northwest-1
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const std::size_t dash = s.find('-', start);
    parts.push_back(s.substr(start, dash - start));
    if (dash == std::string_view::npos) break;
    start = dash + 1;
  }
  if (parts.size() < 3 || parts.size() > 4 || parts.front().size() != 2) return false;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i)
    if (parts[i].empty() || !std::all_of(parts[i].begin(), parts[i].end(), is_lower)) return false;
  const std::string_view n = parts.back();
  return !n.empty() && n.size() <= 2 && std::all_of(n.begin(), n.end(), is_digit);
}

bool is_pem(std::string_view text, std::string_view label) {
  for (std::size_t at = text.find("-----BEGIN "); at != std::string_view::npos;
       at = text.find("-----BEGIN ", at + 1)) {
    std::size_t eol = text.find('\n', at);
    std::string_view line = text.substr(at, eol == std::string_view::npos ? text.npos : eol - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::string tail = std::string(label) + "-----";
    if (line.size() >= tail.size() && line.substr(line.size() - tail.size()) == tail &&
        text.find("-----END ", at) != std::string_view::npos)
      return true;
  }
  return false;
}

}  // namespace

bool Problems::has(std::string_view field) const {
  return std::any_of(out_.begin() + static_cast<std::ptrdiff_t>(start_), out_.end(),
                     [&](const FieldProblem& fp) { return fp.field == field; });
}

void Problems::add(std::string field, std::string problem) {
  if (!has(field)) out_.push_back({std::move(field), std::move(problem)});
}

const json::value* lookup(const json::object& body, std::string_view path) {
  const std::size_t dot = path.find('.');
  if (dot == std::string_view::npos) return body.if_contains(path);
  const json::value* outer = body.if_contains(path.substr(0, dot));
  if (outer == nullptr || !outer->is_object()) return nullptr;
  return outer->get_object().if_contains(path.substr(dot + 1));
}

bool present(const json::object& body, std::string_view path) {
  const json::value* v = lookup(body, path);
  return v != nullptr && !v->is_null();
}

std::string_view string_or(const json::object& body, std::string_view path,
                           std::string_view fallback) {
  const json::string* s = string_at(body, path);
  return s != nullptr ? std::string_view(*s) : fallback;
}

bool bool_or(const json::object& body, std::string_view path, bool fallback) {
  const json::value* v = lookup(body, path);
  return v != nullptr && v->is_bool() ? v->get_bool() : fallback;
}

void require(const json::object& body, std::string_view path, Problems& p, std::string_view when) {
  if (present(body, path)) return;
  p.add(std::string(path), when.empty() ? "is required" : "is required when " + std::string(when));
}

void refuse(const json::object& body, std::string_view path, Problems& p,
            std::string_view only_when) {
  if (present(body, path)) p.add(std::string(path), "is only valid when " + std::string(only_when));
}

void check_host(const json::object& body, std::string_view path, Problems& p) {
  const json::string* s = string_at(body, path);
  if (s == nullptr) return;
  const std::string_view h = *s;
  const bool bad =
      h.find("://") != h.npos || std::any_of(h.begin(), h.end(), [](char c) {
        return c == ' ' || c == '/' || c == '@' || c == '?' || c == '#' || is_control(c);
      });
  if (bad) p.add(std::string(path), "must be a host name or IP address, without scheme or path");
}

void check_aws_region(const json::object& body, std::string_view path, Problems& p) {
  const json::string* s = string_at(body, path);
  if (s != nullptr && !is_aws_region(*s))
    p.add(std::string(path), "must be an AWS region such as us-east-1");
}

void check_s3_bucket(const json::object& body, std::string_view path, Problems& p) {
  const json::string* s = string_at(body, path);
  if (s == nullptr) return;
  const std::string_view b = *s;
  const auto ok_char = [](char c) { return is_lower(c) || is_digit(c) || c == '-' || c == '.'; };
  const bool ok = b.size() >= 3 && b.size() <= 63 && std::all_of(b.begin(), b.end(), ok_char) &&
                  (is_lower(b.front()) || is_digit(b.front())) &&
                  (is_lower(b.back()) || is_digit(b.back())) && b.find("..") == b.npos;
  if (!ok)
    p.add(std::string(path),
          "must be an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens)");
}

void check_relative_path(const json::object& body, std::string_view path,
                         const ValidationContext& ctx, Problems& p) {
  const json::string* s = string_at(body, path);
  if (s == nullptr) return;
  const std::string_view v = *s;
  const std::string field(path);
  if (ctx.file_root.empty())
    return p.add(field, "cannot be used: this server has no file root configured");
  if (v.empty()) return p.add(field, "must not be empty");
  if (v.front() == '/' || v.front() == '~')
    return p.add(field, "must be a path relative to the file root, not absolute");
  if (std::any_of(v.begin(), v.end(), is_control))
    return p.add(field, "must not contain control characters");
  for (std::size_t start = 0; start <= v.size();) {
    std::size_t slash = v.find('/', start);
    if (slash == std::string_view::npos) slash = v.size();
    if (v.substr(start, slash - start) == "..")
      return p.add(field, "must stay under the file root (no \"..\" components)");
    start = slash + 1;
  }
}

void check_json_object(const json::object& body, std::string_view path, Problems& p) {
  const json::string* s = string_at(body, path);
  if (s == nullptr) return;
  boost::system::error_code ec;
  const json::value v = json::parse(*s, ec);
  if (ec || !v.is_object()) p.add(std::string(path), "must be a JSON object (the key file's text)");
}

void check_pem(const json::object& body, std::string_view path, std::string_view label,
               Problems& p) {
  const json::string* s = string_at(body, path);
  if (s != nullptr && !is_pem(*s, label))
    p.add(std::string(path), "must be PEM text (-----BEGIN ..." + std::string(label) + "-----)");
}

void check_ssh_fingerprint(const json::object& body, std::string_view path, Problems& p) {
  const json::string* s = string_at(body, path);
  if (s == nullptr) return;
  std::string_view v = *s;
  constexpr std::string_view prefix = "SHA256:";
  bool ok = v.substr(0, prefix.size()) == prefix;
  v.remove_prefix(std::min(v.size(), prefix.size()));
  if (!v.empty() && v.back() == '=') v.remove_suffix(1);
  ok = ok && v.size() == 43 && std::all_of(v.begin(), v.end(), [](char c) {
         return is_lower(c) || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '+' || c == '/';
       });
  if (!ok)
    p.add(std::string(path),
          "must be \"SHA256:\" and 43 base64 characters, as ssh-keygen -lf prints it");
}

void check_single_char(const json::object& body, std::string_view path, Problems& p) {
  const json::string* s = string_at(body, path);
  if (s == nullptr) return;
  const bool ok = s->size() == 1 && (*s)[0] != '"' && (*s)[0] != '\n' && (*s)[0] != '\r' &&
                  static_cast<unsigned char>((*s)[0]) < 0x80 &&
                  (!is_control((*s)[0]) || (*s)[0] == '\t');
  if (!ok) p.add(std::string(path), "must be a single character (not a quote or line break)");
}

void check_ssl_switch(const json::object& body, Problems& p) {
  const json::string* ssl = string_at(body, "options.ssl");
  const json::string* mode = string_at(body, "tls.mode");
  if (ssl == nullptr || mode == nullptr) return;
  if ((*ssl == "disable") != (*mode == "disable")) p.add("options.ssl", "conflicts with tls.mode");
}

}  // namespace dsb::drivers::catalogue
