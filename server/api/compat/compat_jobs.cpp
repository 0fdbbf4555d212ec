#include "server/api/compat/compat_jobs.hpp"

#include "server/jobs/job_runner.hpp"

#include <memory>
#include <optional>

namespace dsb::server::api::compat {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

Failure cancelled(const jobs::Job& job) {
  return fail(409, "JOB_CANCELLED", "job " + job.id + " was cancelled");
}

// Starts `work`, waits for its job, and returns what it produced.
template <class T, class Work, class Render>
asio::awaitable<Result<T>> run_job(App& app, const RequestContext& ctx, std::string datasource_id,
                                   const char* kind, Work work, Render render) {
  auto out = std::make_shared<std::optional<Result<T>>>();
  jobs::JobWork job_work =
      [out, work = std::move(work),
       render](drivers::StageReporter::Sink progress) -> asio::awaitable<jobs::JobEnd> {
    *out = co_await work(std::move(progress));
    if (!**out) co_return jobs::JobEnd{false, failure_body((*out)->error(), {})};
    co_return jobs::JobEnd{true, render((*out)->value())};
  };
  auto started =
      jobs::start_job(app, ctx.org_id(), std::move(datasource_id), kind, std::move(job_work));
  if (!started) co_return started.error();  // the org's test queue is full
  jobs::Job& job = **started;
  co_await jobs::wait_for_job(job);
  if (job.state == jobs::JobState::cancelled) co_return cancelled(job);
  if (!*out) co_return internal_error("the job ended without a result");
  co_return std::move(**out);
}

}  // namespace

asio::awaitable<Result<WriteOutcome>> run_write_job(App& app, const RequestContext& ctx,
                                                    std::string datasource_id, const char* kind,
                                                    WriteWork work) {
  auto render = [&app](const WriteOutcome& o) {
    json::object body = app.datasource_service->render(o.record);
    if (o.test) body["test"] = report_json(*o.test);
    return json::value(std::move(body));
  };
  co_return co_await run_job<WriteOutcome>(app, ctx, std::move(datasource_id), kind,
                                           std::move(work), render);
}

asio::awaitable<Result<TestReport>> run_test_job(App& app, const RequestContext& ctx,
                                                 std::string datasource_id, TestWork work) {
  auto render = [](const TestReport& r) { return json::value(report_json(r)); };
  co_return co_await run_job<TestReport>(app, ctx, std::move(datasource_id), "test",
                                         std::move(work), render);
}

WriteOptions compat_write_options(const App& app, bool test) {
  WriteOptions opts;
  opts.test = test;
  opts.limits = test_limits(app, "").value();
  return opts;
}

}  // namespace dsb::server::api::compat
