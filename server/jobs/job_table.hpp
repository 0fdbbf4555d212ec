// Jobs (connection tests, creates, schema refreshes) of the orgs one shard
// owns, their ordered events, and who subscribed to them. One JobTable per
// shard; only that shard's thread touches it. Events fan out to subscribers
// on any shard through `Deliver` (a post to their shard), never a lock.
#pragma once

#include "drivers/stage_reporter.hpp"
#include "server/jobs/event_channel.hpp"
#include "store/store.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dsb::server::jobs {

enum class JobState { queued, running, succeeded, failed, cancelled };
std::string_view to_string(JobState s);
std::optional<JobState> parse_job_state(std::string_view s);

struct Job {
  std::string id;
  std::string org_id;
  std::string datasource_id;  // empty for an unsaved body
  std::string kind;           // test | create | schema_refresh
  JobState state = JobState::queued;
  std::vector<boost::json::object> events;  // seq = index + 1
  boost::json::value result;                // once finished
  std::int64_t created_at_ms = 0;
  std::int64_t finished_at_ms = 0;
  boost::asio::cancellation_signal cancel;
  bool cancel_requested = false;
  std::unique_ptr<boost::asio::steady_timer> done;  // cancelled when the job ends
  // Cancelled when a queued job gets its org's test slot.
  std::shared_ptr<boost::asio::steady_timer> start_gate;
  bool holds_slot = false;

  bool finished() const {
    return state == JobState::succeeded || state == JobState::failed ||
           state == JobState::cancelled;
  }
};

// {"id", "kind", "datasource", "state", "created_at", "finished_at", "events", "result"}
boost::json::object job_json(const Job& job);

enum class Topic { job, datasource, org };

struct Subscriber {
  std::size_t shard = 0;
  std::uint64_t session = 0;
  bool operator==(const Subscriber&) const = default;
};

// Hands one message to sessions on `shard` (posting there).
using Deliver = std::function<void(std::size_t shard, std::vector<std::uint64_t> sessions,
                                   Payload message, std::string job, std::int64_t seq)>;

class JobTable {
 public:
  JobTable(boost::asio::any_io_executor ex, Deliver deliver, std::chrono::seconds retention,
           store::Store& store);

  Job& create(std::string org_id, std::string datasource_id, std::string kind);
  // nullptr when unknown or another org's. Falls back to the stored result.
  Job* find(std::string_view org_id, std::string_view id);
  // The org's jobs in creation order, stored ones of an earlier run included.
  std::vector<const Job*> list(std::string_view org_id, std::string_view datasource,
                               std::optional<JobState> state);

  void set_running(Job& job);
  // Forgets a job that never ran (refused before it started).
  void erase(const Job& job) { jobs_.erase(job.id); }
  void record(Job& job, const drivers::StageEvent& ev);
  // The final message; persists the result; wakes waiters.
  void finish(Job& job, JobState state, boost::json::value result);

  // Registers `who` and sends it `confirmation`, then (for a job topic) the
  // job's messages so far. They go out through `Deliver` like live events,
  // from this shard, so no live event can overtake them. False (nothing
  // registered or sent) when the job is unknown to this org.
  bool subscribe(std::string_view org_id, Topic topic, const std::string& value, Subscriber who,
                 const Payload& confirmation);
  void unsubscribe(std::string_view org_id, Topic topic, const std::string& value, Subscriber who);
  void drop(Subscriber who);

  // Forgets finished jobs older than the retention, in memory and stored.
  void expire();

 private:
  // Job bookkeeping writes: a failure leaves the in-memory table right, so it
  // is logged, not returned.
  void write_or_warn(const store::Batch& batch, std::string_view what);
  struct Subscription {
    std::string org_id;
    Topic topic;
    std::string value;
    Subscriber who;
  };
  void publish(const Job& job, const boost::json::object& message);
  // Parses a stored job into loaded_ (nullptr, and the record erased, when
  // past retention).
  Job* adopt(const std::string& id, const std::string& raw);
  // Reads the org's stored jobs that are not in memory yet.
  void load_stored(std::string_view org_id);

  boost::asio::any_io_executor ex_;
  Deliver deliver_;
  std::chrono::seconds retention_;
  store::Store& store_;
  std::map<std::string, std::unique_ptr<Job>> jobs_;  // by id
  std::vector<Subscription> subscriptions_;
  std::map<std::string, std::unique_ptr<Job>> loaded_;  // finished jobs read back from the store
};

}  // namespace dsb::server::jobs
