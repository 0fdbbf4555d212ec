#include "drivers/stage_reporter.hpp"

#include "drivers/secret_scrub.hpp"

namespace dsb::drivers {

double StageReporter::since_begin_ms() const {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now() - stage_start_).count();
}

void StageReporter::emit(StageEvent ev) {
  if (sink_) sink_(ev);
}

void StageReporter::add_secret(std::string secret) {
  if (secret.size() >= 3) secrets_.push_back(std::move(secret));  // shorter would mangle text
}

std::string StageReporter::scrub(std::string text) const {
  return scrub_secrets(std::move(text), secrets_);
}

void StageReporter::begin(std::string_view stage) {
  if (open_) ok();  // a driver that forgot to close a stage still reports it
  current_ = std::string(stage);
  open_ = true;
  stage_start_ = std::chrono::steady_clock::now();
  emit({current_, "started", 0, {}, {}, {}});
}

void StageReporter::ok(boost::json::object detail) {
  if (!open_) return;
  open_ = false;
  const double ms = since_begin_ms();
  stages_.push_back({current_, "ok", ms, {}, {}, detail});
  emit({current_, "ok", ms, {}, {}, std::move(detail)});
}

void StageReporter::failed(std::string_view reason, std::string_view message) {
  const double ms = open_ ? since_begin_ms() : 0;
  open_ = false;
  const std::string clean = scrub(std::string(message));
  stages_.push_back({current_, "failed", ms, std::string(reason), clean, {}});
  emit({current_, "failed", ms, std::string(reason), clean, {}});
}

void StageReporter::skipped(std::string_view stage) {
  stages_.push_back({std::string(stage), "skipped", 0, {}, {}, {}});
  emit({std::string(stage), "skipped", 0, {}, {}, {}});
}

void StageReporter::progress(boost::json::object detail) {
  if (!open_) return;
  emit({current_, "progress", since_begin_ms(), {}, {}, std::move(detail)});
}

}  // namespace dsb::drivers
