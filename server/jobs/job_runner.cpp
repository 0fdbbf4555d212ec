#include "server/jobs/job_runner.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>

namespace dsb::server::jobs {
namespace asio = boost::asio;

namespace {

// Waits (queued) until the org's slot is granted, unless the job is cancelled first.
asio::awaitable<void> wait_for_slot(Job& job) {
  while (!job.holds_slot && !job.cancel_requested) {
    boost::system::error_code ec;
    co_await job.start_gate->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

}  // namespace

Result<Job*> start_job(App& app, std::string org_id, std::string datasource_id, std::string kind,
                       JobWork work) {
  JobTable& table = app.jobs->local();
  auto& quotas = app.quotas->local();
  Job& job = table.create(org_id, std::move(datasource_id), std::move(kind));
  job.start_gate = std::make_shared<asio::steady_timer>(app.shards->at(Shard::current().value()).executor(),
                                                        asio::steady_timer::time_point::max());
  std::weak_ptr<asio::steady_timer> gate = job.start_gate;
  Job* queued = &job;
  const auto slot = quotas.acquire_test_slot(org_id, [gate, queued]() {
    auto g = gate.lock();  // gone once the job finished (cancelled while queued)
    if (!g) return false;
    queued->holds_slot = true;
    g->cancel();
    return true;
  });
  if (slot == tenancy::OrgQuotas::Slot::refused) {
    table.erase(job);
    return fail(429, "TOO_MANY_TESTS",
                "this organization has too many connection tests running and queued; retry later");
  }
  job.holds_slot = slot == tenancy::OrgQuotas::Slot::granted;
  if (job.holds_slot) table.set_running(job);
  // The job outlives this call (the table owns it); events land on this shard.
  auto progress = [&table, &job](const drivers::StageEvent& ev) { table.record(job, ev); };
  asio::co_spawn(
      app.shards->at(Shard::current().value()).executor(),
      [work = std::move(work), progress, &job, &table]() -> asio::awaitable<JobEnd> {
        co_await wait_for_slot(job);
        if (job.cancel_requested) co_return JobEnd{};
        table.set_running(job);
        co_return co_await work(progress);
      },
      asio::bind_cancellation_slot(job.cancel.slot(), [&app, &table, &job](std::exception_ptr e, JobEnd end) {
        job.start_gate.reset();
        if (job.holds_slot) app.quotas->local().release_test_slot(job.org_id);
        if (job.cancel_requested) {
          table.finish(job, JobState::cancelled,
                       boost::json::object{{"code", "JOB_CANCELLED"}, {"message", "the job was cancelled"}});
        } else if (e) {
          table.finish(job, JobState::failed,
                       boost::json::object{{"code", "INTERNAL_SERVER_ERROR"}, {"message", "the job failed"}});
        } else {
          table.finish(job, end.ok ? JobState::succeeded : JobState::failed, std::move(end.result));
        }
      }));
  return &job;
}

asio::awaitable<void> wait_for_job(Job& job) {
  while (!job.finished()) {
    boost::system::error_code ec;
    co_await job.done->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

bool cancel_job(Job& job) {
  if (job.finished()) return false;
  job.cancel_requested = true;
  job.cancel.emit(asio::cancellation_type::terminal);
  if (job.start_gate) job.start_gate->cancel();  // a queued job stops waiting
  return true;
}

}  // namespace dsb::server::jobs
