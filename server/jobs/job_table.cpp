#include "server/jobs/job_table.hpp"

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "server/access_log.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>

#include <algorithm>

namespace dsb::server::jobs {
namespace json = boost::json;

namespace {

constexpr std::array<std::string_view, 5> kStateNames = {"queued", "running", "succeeded", "failed",
                                                         "cancelled"};

std::string job_key(std::string_view org, std::string_view id) {
  return std::string(org) + "/" + std::string(id);
}

bool matches(Topic topic, const std::string& value, const Job& job) {
  switch (topic) {
    case Topic::job:
      return value == job.id;
    case Topic::datasource:
      return !job.datasource_id.empty() && value == job.datasource_id;
    case Topic::org:
      return true;
  }
  return false;
}

std::unique_ptr<Job> job_from_stored(const json::object& o) {
  auto job = std::make_unique<Job>();
  job->id = json::value_to<std::string>(o.at("id"));
  job->org_id = json::value_to<std::string>(o.at("org_id"));
  job->datasource_id = json::value_to<std::string>(o.at("datasource"));
  job->kind = json::value_to<std::string>(o.at("kind"));
  job->state = parse_job_state(o.at("state").as_string()).value_or(JobState::failed);
  for (const auto& e : o.at("events").as_array()) job->events.push_back(e.as_object());
  job->result = o.at("result");
  job->created_at_ms = o.at("created_at_ms").to_number<std::int64_t>();
  job->finished_at_ms = o.at("finished_at_ms").to_number<std::int64_t>();
  return job;
}

}  // namespace

std::string_view to_string(JobState s) {
  return kStateNames[static_cast<int>(s)];
}

std::optional<JobState> parse_job_state(std::string_view s) {
  for (std::size_t i = 0; i < kStateNames.size(); ++i)
    if (kStateNames[i] == s) return static_cast<JobState>(i);
  return std::nullopt;
}

json::object job_json(const Job& job) {
  json::array events;
  for (const auto& e : job.events) events.push_back(e);
  return {{"id", job.id},
          {"kind", job.kind},
          {"datasource",
           job.datasource_id.empty() ? json::value(nullptr) : json::value(job.datasource_id)},
          {"state", to_string(job.state)},
          {"created_at", rfc3339(job.created_at_ms)},
          {"finished_at",
           job.finished_at_ms ? json::value(rfc3339(job.finished_at_ms)) : json::value(nullptr)},
          {"events", std::move(events)},
          {"result", job.result}};
}

JobTable::JobTable(boost::asio::any_io_executor ex, Deliver deliver, std::chrono::seconds retention,
                   store::Store& store)
    : ex_(std::move(ex)), deliver_(std::move(deliver)), retention_(retention), store_(store) {}

Job& JobTable::create(std::string org_id, std::string datasource_id, std::string kind) {
  auto job = std::make_unique<Job>();
  job->id = new_uuid();
  job->org_id = std::move(org_id);
  job->datasource_id = std::move(datasource_id);
  job->kind = std::move(kind);
  job->created_at_ms = now_unix_ms();
  job->done = std::make_unique<boost::asio::steady_timer>(
      ex_, boost::asio::steady_timer::time_point::max());
  Job& ref = *job;
  jobs_.emplace(ref.id, std::move(job));
  return ref;
}

Job* JobTable::find(std::string_view org_id, std::string_view id) {
  const std::string key(id);
  for (auto* table : {&jobs_, &loaded_}) {
    auto it = table->find(key);
    if (it != table->end()) return it->second->org_id == org_id ? it->second.get() : nullptr;
  }
  // After a restart only the stored result is left.
  auto raw = store_.get(store::Family::jobs, job_key(org_id, id));
  if (!raw || !*raw) return nullptr;
  return adopt(key, **raw);
}

Job* JobTable::adopt(const std::string& id, const std::string& raw) {
  boost::system::error_code ec;
  auto v = json::parse(raw, ec);
  if (ec || !v.is_object()) return nullptr;
  try {
    auto job = job_from_stored(v.as_object());
    if (job->id != id) return nullptr;
    const auto cutoff =
        now_unix_ms() - std::chrono::duration_cast<std::chrono::milliseconds>(retention_).count();
    if (job->finished_at_ms < cutoff) {
      // Past retention (left by an earlier run, so expire() never saw it).
      store::Batch batch;
      batch.erase(store::Family::jobs, job_key(job->org_id, job->id));
      write_or_warn(batch, "an expired job could not be removed");
      return nullptr;
    }
    Job* ptr = job.get();
    loaded_.emplace(id, std::move(job));
    return ptr;
  } catch (const std::exception&) {
    return nullptr;  // a record this build cannot read is as good as expired
  }
}

void JobTable::load_stored(std::string_view org_id) {
  constexpr std::size_t kPage = 256;
  const std::string prefix = std::string(org_id) + "/";
  std::string after;
  for (;;) {
    auto page = store_.scan(store::Family::jobs, prefix, after, kPage);
    if (!page) return;  // the in-memory jobs still answer
    for (const auto& kv : *page) {
      const std::string id = kv.key.substr(prefix.size());
      if (!jobs_.contains(id) && !loaded_.contains(id)) adopt(id, kv.value);
    }
    if (page->size() < kPage) return;
    after = page->back().key;
  }
}

std::vector<const Job*> JobTable::list(std::string_view org_id, std::string_view datasource,
                                       std::optional<JobState> state) {
  // Jobs of an earlier run are stored only; list them like GET /v1/jobs/{id} finds them.
  load_stored(org_id);
  std::vector<const Job*> out;
  for (const auto* table : {&jobs_, &loaded_}) {
    for (const auto& [id, job] : *table) {
      if (job->org_id != org_id) continue;
      if (!datasource.empty() && job->datasource_id != datasource) continue;
      if (state && job->state != *state) continue;
      out.push_back(job.get());
    }
  }
  // Id order = creation order (UUIDv7).
  std::sort(out.begin(), out.end(), [](const Job* a, const Job* b) { return a->id < b->id; });
  return out;
}

void JobTable::write_or_warn(const store::Batch& batch, std::string_view what) {
  if (auto w = store_.write(batch); !w)
    write_event_log("warning", std::string(what) + ": " + w.error().message);
}

void JobTable::set_running(Job& job) {
  job.state = JobState::running;
}

void JobTable::record(Job& job, const drivers::StageEvent& ev) {
  json::object m{{"job", job.id},
                 {"datasource", job.datasource_id.empty() ? json::value(nullptr)
                                                          : json::value(job.datasource_id)},
                 {"seq", static_cast<std::int64_t>(job.events.size() + 1)},
                 {"stage", ev.stage},
                 {"status", ev.status},
                 {"elapsed_ms", ev.elapsed_ms},
                 {"at", rfc3339(now_unix_ms())},
                 {"detail", ev.detail}};
  if (!ev.reason.empty()) m["reason"] = ev.reason;
  if (!ev.message.empty()) m["message"] = ev.message;
  job.events.push_back(m);
  publish(job, m);
}

void JobTable::finish(Job& job, JobState state, json::value result) {
  job.state = state;
  job.result = std::move(result);
  job.finished_at_ms = now_unix_ms();
  json::object m{{"job", job.id},
                 {"datasource", job.datasource_id.empty() ? json::value(nullptr)
                                                          : json::value(job.datasource_id)},
                 {"seq", static_cast<std::int64_t>(job.events.size() + 1)},
                 {"state", to_string(state)},
                 {"result", job.result}};
  job.events.push_back(m);
  publish(job, m);
  json::object stored = job_json(job);
  stored["org_id"] = job.org_id;
  stored["datasource"] = job.datasource_id;
  stored["created_at_ms"] = job.created_at_ms;
  stored["finished_at_ms"] = job.finished_at_ms;
  store::Batch batch;
  batch.put(store::Family::jobs, job_key(job.org_id, job.id), json::serialize(stored));
  // The in-memory job still answers if the write failed; only a restart loses it.
  write_or_warn(batch, "a job result could not be stored");
  job.done->cancel();
}

void JobTable::publish(const Job& job, const json::object& message) {
  std::map<std::size_t, std::vector<std::uint64_t>> by_shard;
  for (const auto& s : subscriptions_) {
    if (s.org_id != job.org_id || !matches(s.topic, s.value, job)) continue;
    auto& sessions = by_shard[s.who.shard];
    if (std::find(sessions.begin(), sessions.end(), s.who.session) == sessions.end())
      sessions.push_back(s.who.session);
  }
  if (by_shard.empty()) return;
  // Serialized once, shared by every subscriber.
  auto payload = std::make_shared<const std::string>(json::serialize(message));
  const auto seq = message.at("seq").as_int64();
  for (auto& [shard, sessions] : by_shard)
    deliver_(shard, std::move(sessions), payload, job.id, seq);
}

bool JobTable::subscribe(std::string_view org_id, Topic topic, const std::string& value,
                         Subscriber who, const Payload& confirmation) {
  const Job* job = nullptr;
  if (topic == Topic::job) {
    job = find(org_id, value);
    if (job == nullptr) return false;
  }
  subscriptions_.push_back({std::string(org_id), topic, value, who});
  // Handing the replay back to the caller instead raced live events: the
  // answer of a cross-shard call is posted one hop later than a delivery
  // posted now, so events published meanwhile arrived before the replay.
  deliver_(who.shard, {who.session}, confirmation, std::string(), 0);
  if (job == nullptr) return true;
  for (std::size_t i = 0; i < job->events.size(); ++i)
    deliver_(who.shard, {who.session},
             std::make_shared<const std::string>(json::serialize(job->events[i])), job->id,
             static_cast<std::int64_t>(i + 1));
  return true;
}

void JobTable::unsubscribe(std::string_view org_id, Topic topic, const std::string& value,
                           Subscriber who) {
  std::erase_if(subscriptions_, [&](const Subscription& s) {
    return s.org_id == org_id && s.topic == topic && s.value == value && s.who == who;
  });
}

void JobTable::drop(Subscriber who) {
  std::erase_if(subscriptions_, [&](const Subscription& s) { return s.who == who; });
}

void JobTable::expire() {
  const auto cutoff =
      now_unix_ms() - std::chrono::duration_cast<std::chrono::milliseconds>(retention_).count();
  store::Batch batch;
  for (auto* table : {&jobs_, &loaded_}) {
    for (auto it = table->begin(); it != table->end();) {
      const Job& j = *it->second;
      if (j.finished() && j.finished_at_ms < cutoff) {
        batch.erase(store::Family::jobs, job_key(j.org_id, j.id));
        it = table->erase(it);
      } else {
        ++it;
      }
    }
  }
  if (!batch.empty()) write_or_warn(batch, "expired jobs could not be removed");
}

}  // namespace dsb::server::jobs
