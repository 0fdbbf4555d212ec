// Runs connection work as a job on the org's shard: events recorded as they
// happen, cancellable (DELETE /v1/jobs/{id} closes its connections), the
// final state and result published. Callers wanting a synchronous answer
// wait for the job; asynchronous ones answer 202 at once.
#pragma once

#include "drivers/stage_reporter.hpp"
#include "server/app.hpp"
#include "server/jobs/job_table.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <string>

namespace dsb::server::jobs {

struct JobEnd {
  bool ok = false;
  boost::json::value result;  // the success body, or the error body
};

using JobWork = std::function<boost::asio::awaitable<JobEnd>(drivers::StageReporter::Sink progress)>;

// Starts `work` on the calling shard (the org's) and returns its job at once.
// The job runs when the org has a free test slot and waits, queued, until
// then; a full queue refuses it (429 TOO_MANY_TESTS).
Result<Job*> start_job(App& app, std::string org_id, std::string datasource_id, std::string kind,
                       JobWork work);

// Resumes once `job` has finished.
boost::asio::awaitable<void> wait_for_job(Job& job);

// Asks a running job to stop; false when it had already finished.
bool cancel_job(Job& job);

}  // namespace dsb::server::jobs
