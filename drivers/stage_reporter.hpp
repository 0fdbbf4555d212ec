// Records the stages of one connection test and forwards each event to a
// sink (the job hub streams them over WebSocket).
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace dsb::drivers {

struct StageEvent {
  std::string stage;   // tcp_connect, tls_handshake, ...
  std::string status;  // started | ok | failed | skipped
  double elapsed_ms = 0;
  std::string reason;   // on failure: stable reason code
  std::string message;  // on failure: sanitized driver message
  boost::json::object detail;
};

struct StageRecord {
  std::string stage;
  std::string status;
  double duration_ms = 0;
  std::string reason;
  std::string message;
  boost::json::object detail;
};

class StageReporter {
 public:
  using Sink = std::function<void(const StageEvent&)>;
  explicit StageReporter(Sink sink = {}) : sink_(std::move(sink)) {}

  void begin(std::string_view stage);
  void ok(boost::json::object detail = {});
  void failed(std::string_view reason, std::string_view message);
  void skipped(std::string_view stage);
  // Progress inside the current stage (e.g. tables fetched so far).
  void progress(boost::json::object detail);
  // Every later message (records and events) has `secret` replaced by ***.
  void add_secret(std::string secret);
  std::string scrub(std::string text) const;

  const std::vector<StageRecord>& stages() const { return stages_; }
  const std::string& current_stage() const { return current_; }
  bool in_stage() const { return open_; }

 private:
  double since_begin_ms() const;
  void emit(StageEvent ev);

  Sink sink_;
  std::vector<std::string> secrets_;
  std::vector<StageRecord> stages_;
  std::string current_;
  bool open_ = false;
  std::chrono::steady_clock::time_point stage_start_{};
};

}  // namespace dsb::drivers
