#include "tenancy/org_quotas.hpp"

#include <algorithm>
#include <cmath>

namespace dsb::tenancy {
namespace json = boost::json;

namespace {

struct LimitKey {
  const char* name;
  std::int64_t OrgLimits::*field;
  std::int64_t min;
  std::int64_t max;
};

constexpr LimitKey kKeys[] = {
    {"requests_per_window", &OrgLimits::requests_per_window, 1, 10'000'000},
    {"window_s", &OrgLimits::window_s, 1, 86'400},
    {"concurrent_tests", &OrgLimits::concurrent_tests, 1, 1'000},
    {"queued_tests", &OrgLimits::queued_tests, 0, 100'000},
};

}  // namespace

OrgLimits effective_limits(const OrgLimits& defaults, const json::object& overrides) {
  OrgLimits out = defaults;
  for (const auto& k : kKeys)
    if (const json::value* v = overrides.if_contains(k.name); v && v->is_int64()) out.*k.field = v->as_int64();
  return out;
}

Result<json::object> parse_limits(const json::value& body) {
  if (!body.is_object()) return invalid_body({{"limits", "must be an object"}});
  std::vector<FieldProblem> problems;
  json::object out;
  for (const auto& [key, v] : body.as_object()) {
    const auto* k = std::find_if(std::begin(kKeys), std::end(kKeys), [&](const LimitKey& l) { return key == l.name; });
    const std::string path = "limits." + std::string(key);
    if (k == std::end(kKeys)) {
      problems.push_back({path, "unknown field"});
    } else if (!v.is_int64() || v.as_int64() < k->min || v.as_int64() > k->max) {
      problems.push_back({path, "must be an integer from " + std::to_string(k->min) + " to " + std::to_string(k->max)});
    } else {
      out[key] = v.as_int64();
    }
  }
  if (!problems.empty()) return invalid_body(std::move(problems));
  return out;
}

OrgQuotas::OrgState& OrgQuotas::state(const std::string& org_id) { return orgs_[org_id]; }

void OrgQuotas::set_limits(const std::string& org_id, const OrgLimits& limits) {
  const bool fresh = !orgs_.contains(org_id);
  OrgState& s = state(org_id);
  s.limits = limits;
  if (fresh) {
    s.tokens = static_cast<double>(limits.requests_per_window);
    s.refilled = Clock::now();
  }
  s.tokens = std::min(s.tokens, static_cast<double>(limits.requests_per_window));
}

Admission OrgQuotas::admit_request(const std::string& org_id, Clock::time_point now) {
  OrgState& s = state(org_id);
  const double capacity = static_cast<double>(s.limits.requests_per_window);
  const double per_second = capacity / static_cast<double>(s.limits.window_s);
  const double elapsed = std::chrono::duration<double>(now - s.refilled).count();
  s.tokens = std::min(capacity, s.tokens + elapsed * per_second);
  s.refilled = now;
  Admission a;
  a.limit = s.limits.requests_per_window;
  if (s.tokens >= 1.0) {
    s.tokens -= 1.0;
  } else {
    a.allowed = false;
    a.retry_after_s = static_cast<std::int64_t>(std::ceil((1.0 - s.tokens) / per_second));
  }
  a.remaining = static_cast<std::int64_t>(std::floor(s.tokens));
  a.reset_s = static_cast<std::int64_t>(std::ceil((capacity - s.tokens) / per_second));
  return a;
}

OrgQuotas::Slot OrgQuotas::acquire_test_slot(const std::string& org_id, Waker wake) {
  OrgState& s = state(org_id);
  if (s.running < s.limits.concurrent_tests && s.waiting.empty()) {
    ++s.running;
    return Slot::granted;
  }
  if (static_cast<std::int64_t>(s.waiting.size()) >= s.limits.queued_tests) return Slot::refused;
  s.waiting.push_back(std::move(wake));
  return Slot::queued;
}

void OrgQuotas::release_test_slot(const std::string& org_id) {
  OrgState& s = state(org_id);
  --s.running;
  while (!s.waiting.empty() && s.running < s.limits.concurrent_tests) {
    Waker next = std::move(s.waiting.front());
    s.waiting.pop_front();
    if (next()) ++s.running;  // the slot passes to it in queue order
  }
}

std::int64_t OrgQuotas::running_tests(const std::string& org_id) const {
  auto it = orgs_.find(org_id);
  return it == orgs_.end() ? 0 : it->second.running;
}

}  // namespace dsb::tenancy
