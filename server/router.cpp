#include "server/router.hpp"

#include <algorithm>

namespace dsb::server {
namespace {

std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start < path.size()) {
    if (path[start] == '/') {
      ++start;
      continue;
    }
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    parts.push_back(path.substr(start, end - start));
    start = end;
  }
  return parts;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// True when `a` is more specific than `b` (both matching one path): at the
// first segment where one has a literal and the other a parameter, the
// literal wins, so /v1/x/test/{job} beats /v1/x/{id}/schema.
bool more_specific(std::string_view a, std::string_view b) {
  const auto sa = split(a);
  const auto sb = split(b);
  for (std::size_t i = 0; i < std::min(sa.size(), sb.size()); ++i)
    if (is_param(sa[i]) != is_param(sb[i])) return !is_param(sa[i]);
  return false;
}

bool matches(std::string_view pattern, std::string_view path,
             std::map<std::string, std::string>& params) {
  const auto want = split(pattern);
  const auto got = split(path);
  if (want.size() != got.size()) return false;
  std::map<std::string, std::string> found;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}') {
      found.emplace(std::string(want[i].substr(1, want[i].size() - 2)), std::string(got[i]));
    } else if (want[i] != got[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

}  // namespace

void Router::add(Route route) { routes_.push_back(std::move(route)); }

Router::Match Router::match(http::verb method, std::string_view path,
                            std::map<std::string, std::string>& params) const {
  Match m;
  // A literal segment beats a parameter: /v1/datasources/test is not {id}.
  const Route* best = nullptr;
  for (const auto& r : routes_) {
    std::map<std::string, std::string> p;
    if (!matches(r.pattern, path, p)) continue;
    if (r.method != method) {
      const std::string name(http::to_string(r.method));
      if (std::find(m.allowed.begin(), m.allowed.end(), name) == m.allowed.end())
        m.allowed.push_back(name);
      continue;
    }
    if (best == nullptr || more_specific(r.pattern, best->pattern)) {
      best = &r;
      params = std::move(p);
    }
  }
  m.route = best;
  return m;
}

}  // namespace dsb::server
