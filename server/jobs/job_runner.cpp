#include "server/jobs/job_runner.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>

namespace dsb::server::jobs {
namespace asio = boost::asio;

Job& start_job(App& app, std::string org_id, std::string datasource_id, std::string kind,
               JobWork work) {
  JobTable& table = app.jobs->local();
  Job& job = table.create(std::move(org_id), std::move(datasource_id), std::move(kind));
  table.set_running(job);
  // The job outlives this call (the table owns it); events land on this shard.
  auto progress = [&table, &job](const drivers::StageEvent& ev) { table.record(job, ev); };
  asio::co_spawn(
      app.shards->at(Shard::current().value()).executor(),
      [work = std::move(work), progress]() -> asio::awaitable<JobEnd> { co_return co_await work(progress); },
      asio::bind_cancellation_slot(job.cancel.slot(), [&table, &job](std::exception_ptr e, JobEnd end) {
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
  return job;
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
  return true;
}

}  // namespace dsb::server::jobs
