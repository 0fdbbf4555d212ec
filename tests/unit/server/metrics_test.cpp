// Per-shard metrics, their merge, and the Prometheus text rendering.
#include "server/metrics.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace dsb::server {
namespace {

// The line of `text` starting with `prefix` ("" when none).
std::string line_of(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) return line;
  return {};
}

TEST(LatencyHistogram, BucketsAreInclusiveUpperBounds) {
  LatencyHistogram h;
  h.observe(0.0005);  // exactly the first bound
  h.observe(0.0006);
  h.observe(5.0);
  h.observe(60.0);  // above every bound: counted, in no finite bucket
  EXPECT_EQ(h.count, 4u);
  EXPECT_DOUBLE_EQ(h.sum, 0.0005 + 0.0006 + 5.0 + 60.0);
  EXPECT_EQ(h.buckets[0], 1u);
  EXPECT_EQ(h.buckets[1], 1u);
  EXPECT_EQ(h.buckets.back(), 1u);
  LatencyHistogram other;
  other.observe(0.0001);
  h.merge(other);
  EXPECT_EQ(h.count, 5u);
  EXPECT_EQ(h.buckets[0], 2u);
}

TEST(ShardMetrics, RecordAndMerge) {
  ShardMetrics a, b;
  a.record("/v1/datasources/{id}", "GET", 200, 0.001);
  a.record("/v1/datasources/{id}", "GET", 200, 0.002);
  b.record("/v1/datasources/{id}", "GET", 200, 0.003);
  b.record("/v1/datasources/{id}", "GET", 404, 0.003);
  b.record("/healthz", "GET", 200, 0.0001);
  a.merge(b);
  EXPECT_EQ((a.requests[{"/v1/datasources/{id}", "GET", 200}]), 3u);
  EXPECT_EQ((a.requests[{"/v1/datasources/{id}", "GET", 404}]), 1u);
  EXPECT_EQ(a.latency["/v1/datasources/{id}"].count, 4u);
  EXPECT_EQ(a.latency["/healthz"].count, 1u);
}

TEST(Prometheus, RendersCountersHistogramsAndGauges) {
  ShardMetrics m;
  for (int i = 0; i < 3; ++i) m.record("/v1/datasources/{id}", "GET", 200, 0.004);
  m.record("/v1/datasources/{id}", "GET", 200, 2.0);
  m.record("/v1/datasources", "POST", 201, 0.02);
  Gauges g;
  g.open_connections = 7;
  g.shard_pending = {{0, 0}, {1, 3}};
  const std::string t = render_prometheus(m, g);
  EXPECT_EQ(
      line_of(t, "dsb_http_requests_total{route=\"/v1/datasources/{id}\""),
      "dsb_http_requests_total{route=\"/v1/datasources/{id}\",method=\"GET\",status=\"200\"} 4");
  EXPECT_EQ(line_of(t, "dsb_http_requests_total{route=\"/v1/datasources\","),
            "dsb_http_requests_total{route=\"/v1/datasources\",method=\"POST\",status=\"201\"} 1");
  const std::string b = "dsb_http_request_duration_seconds_bucket{route=\"/v1/datasources/{id}\",";
  EXPECT_EQ(line_of(t, b + "le=\"0.0025\"}"), b + "le=\"0.0025\"} 0");
  EXPECT_EQ(line_of(t, b + "le=\"0.005\"}"), b + "le=\"0.005\"} 3");
  EXPECT_EQ(line_of(t, b + "le=\"1\"}"), b + "le=\"1\"} 3");
  EXPECT_EQ(line_of(t, b + "le=\"5\"}"), b + "le=\"5\"} 4");
  EXPECT_EQ(line_of(t, b + "le=\"+Inf\"}"), b + "le=\"+Inf\"} 4");
  EXPECT_EQ(line_of(t, "dsb_http_request_duration_seconds_count{route=\"/v1/datasources/{id}\"}"),
            "dsb_http_request_duration_seconds_count{route=\"/v1/datasources/{id}\"} 4");
  EXPECT_NE(
      line_of(t, "dsb_http_request_duration_seconds_sum{route=\"/v1/datasources/{id}\"} 2.012"),
      "");
  EXPECT_EQ(line_of(t, "dsb_open_connections "), "dsb_open_connections 7");
  EXPECT_EQ(line_of(t, "dsb_shard_queue_depth{shard=\"1\"}"),
            "dsb_shard_queue_depth{shard=\"1\"} 3");
  for (const char* type :
       {"# TYPE dsb_http_requests_total counter",
        "# TYPE dsb_http_request_duration_seconds histogram", "# TYPE dsb_open_connections gauge",
        "# TYPE dsb_shard_queue_depth gauge"})
    EXPECT_NE(t.find(type), std::string::npos) << type;
}

TEST(Prometheus, BucketsAreCumulativeAndMonotonic) {
  ShardMetrics m;
  for (double s : {0.0001, 0.003, 0.003, 0.2, 0.7, 3.0, 9.0}) m.record("/r", "GET", 200, s);
  const std::string t = render_prometheus(m, {});
  std::istringstream in(t);
  std::uint64_t last = 0;
  int buckets = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("dsb_http_request_duration_seconds_bucket{route=\"/r\"", 0) != 0) continue;
    const auto v = std::stoull(line.substr(line.rfind(' ') + 1));
    EXPECT_GE(v, last) << line;
    last = v;
    ++buckets;
  }
  EXPECT_EQ(buckets, static_cast<int>(kLatencyBucketsSeconds.size()) + 1);
  EXPECT_EQ(last, 7u);
}

TEST(Prometheus, LabelValuesAreEscaped) {
  ShardMetrics m;
  m.record("a\"b\\c\nd", "GET", 200, 0.001);
  const std::string t = render_prometheus(m, {});
  EXPECT_NE(t.find("route=\"a\\\"b\\\\c\\nd\""), std::string::npos) << t;
  // Every line is a comment or a sample: nothing broke a line.
  std::istringstream in(t);
  for (std::string line; std::getline(in, line);)
    EXPECT_TRUE(line.rfind("# ", 0) == 0 || line.rfind("dsb_", 0) == 0) << line;
}

}  // namespace
}  // namespace dsb::server
