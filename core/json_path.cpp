#include "core/json_path.hpp"

namespace dsb {
namespace json = boost::json;

namespace {
std::pair<std::string_view, std::string_view> split_first(std::string_view path) {
  const auto dot = path.find('.');
  if (dot == std::string_view::npos) return {path, {}};
  return {path.substr(0, dot), path.substr(dot + 1)};
}
}  // namespace

const json::value* find_path(const json::object& root, std::string_view path) {
  auto [head, rest] = split_first(path);
  const json::value* v = root.if_contains(head);
  if (v == nullptr || rest.empty()) return v;
  if (!v->is_object()) return nullptr;
  return find_path(v->as_object(), rest);
}

void set_path(json::object& root, std::string_view path, json::value v) {
  auto [head, rest] = split_first(path);
  if (rest.empty()) {
    root[head] = std::move(v);
    return;
  }
  json::value& child = root[head];
  if (!child.is_object()) child = json::object();
  set_path(child.as_object(), rest, std::move(v));
}

bool erase_path(json::object& root, std::string_view path) {
  auto [head, rest] = split_first(path);
  if (rest.empty()) return root.erase(head) > 0;
  json::value* child = root.if_contains(head);
  if (child == nullptr || !child->is_object()) return false;
  return erase_path(child->as_object(), rest);
}

void merge_patch(json::object& target, const json::object& patch) {
  for (const auto& [key, value] : patch) {
    if (value.is_null()) {
      target.erase(key);
    } else if (value.is_object()) {
      json::value& t = target[key];
      if (!t.is_object()) t = json::object();
      merge_patch(t.as_object(), value.as_object());
    } else {
      target[key] = value;
    }
  }
}

}  // namespace dsb
