// Per-organization limits, enforced on the org's shard without locks: a
// token bucket for requests, and a budget of concurrent connection work
// (tests, schema fetches) with an ordered queue behind it. One OrgQuotas per
// shard, holding only the orgs that shard owns.
#pragma once

#include "core/failure.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <unordered_map>

namespace dsb::tenancy {

struct OrgLimits {
  std::int64_t requests_per_window = 500;  // Databrain's default: 500 per 2 minutes
  std::int64_t window_s = 120;
  std::int64_t concurrent_tests = 8;
  std::int64_t queued_tests = 64;
};

// The org's limits: `overrides` (the org record's "limits") over `defaults`.
OrgLimits effective_limits(const OrgLimits& defaults, const boost::json::object& overrides);

// Validates an admin's {"requests_per_window", "window_s", "concurrent_tests", "queued_tests"}.
Result<boost::json::object> parse_limits(const boost::json::value& body);

struct Admission {
  bool allowed = true;
  std::int64_t limit = 0;
  std::int64_t remaining = 0;
  std::int64_t reset_s = 0;        // until the bucket is full again
  std::int64_t retry_after_s = 0;  // until one request is allowed (when refused)
};

class OrgQuotas {
 public:
  using Clock = std::chrono::steady_clock;
  // Resumes a queued job; false when that job is gone (cancelled meanwhile).
  using Waker = std::function<bool()>;

  // Known limits win over a fresh load; `load` is asked only for unseen orgs.
  void set_limits(const std::string& org_id, const OrgLimits& limits);
  bool knows(const std::string& org_id) const { return orgs_.contains(org_id); }

  Admission admit_request(const std::string& org_id, Clock::time_point now);

  enum class Slot { granted, queued, refused };
  // Takes a slot now, or queues `wake` (called when one frees), or refuses
  // when the queue is full.
  Slot acquire_test_slot(const std::string& org_id, Waker wake);
  // Frees a slot, handing it to the first live waiter.
  void release_test_slot(const std::string& org_id);
  std::int64_t running_tests(const std::string& org_id) const;

 private:
  struct OrgState {
    OrgLimits limits;
    double tokens = 0;
    Clock::time_point refilled{};
    std::int64_t running = 0;
    std::deque<Waker> waiting;
  };
  OrgState& state(const std::string& org_id);

  std::unordered_map<std::string, OrgState> orgs_;
};

}  // namespace dsb::tenancy
