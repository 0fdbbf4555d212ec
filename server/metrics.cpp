#include "server/metrics.hpp"

#include <cstdio>

namespace dsb::server {
namespace {

std::string escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

void LatencyHistogram::observe(double seconds) {
  for (std::size_t i = 0; i < kLatencyBucketsSeconds.size(); ++i) {
    if (seconds <= kLatencyBucketsSeconds[i]) {
      ++buckets[i];
      break;
    }
  }
  ++count;
  sum += seconds;
}

void LatencyHistogram::merge(const LatencyHistogram& o) {
  for (std::size_t i = 0; i < buckets.size(); ++i) buckets[i] += o.buckets[i];
  count += o.count;
  sum += o.sum;
}

void ShardMetrics::record(const std::string& route, const std::string& method, int status,
                          double seconds) {
  ++requests[{route, method, status}];
  latency[route].observe(seconds);
}

void ShardMetrics::merge(const ShardMetrics& o) {
  for (const auto& [k, v] : o.requests) requests[k] += v;
  for (const auto& [k, v] : o.latency) latency[k].merge(v);
}

std::string render_prometheus(const ShardMetrics& m, const Gauges& g) {
  std::string out;
  out += "# HELP dsb_http_requests_total HTTP requests by route template, method and status.\n";
  out += "# TYPE dsb_http_requests_total counter\n";
  for (const auto& [k, v] : m.requests) {
    const auto& [route, method, status] = k;
    out += "dsb_http_requests_total{route=\"" + escape_label(route) + "\",method=\"" + method +
           "\",status=\"" + std::to_string(status) + "\"} " + std::to_string(v) + "\n";
  }
  out += "# HELP dsb_http_request_duration_seconds Request latency by route template.\n";
  out += "# TYPE dsb_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : m.latency) {
    const std::string label = "route=\"" + escape_label(route) + "\"";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < h.buckets.size(); ++i) {
      cumulative += h.buckets[i];
      out += "dsb_http_request_duration_seconds_bucket{" + label + ",le=\"" +
             number(kLatencyBucketsSeconds[i]) + "\"} " + std::to_string(cumulative) + "\n";
    }
    out += "dsb_http_request_duration_seconds_bucket{" + label + ",le=\"+Inf\"} " +
           std::to_string(h.count) + "\n";
    out += "dsb_http_request_duration_seconds_sum{" + label + "} " + number(h.sum) + "\n";
    out += "dsb_http_request_duration_seconds_count{" + label + "} " + std::to_string(h.count) +
           "\n";
  }
  out += "# HELP dsb_open_connections Client connections open now.\n";
  out += "# TYPE dsb_open_connections gauge\n";
  out += "dsb_open_connections " + std::to_string(g.open_connections) + "\n";
  out += "# HELP dsb_shard_queue_depth Requests handed to a shard and not started yet.\n";
  out += "# TYPE dsb_shard_queue_depth gauge\n";
  for (const auto& [shard, depth] : g.shard_pending)
    out += "dsb_shard_queue_depth{shard=\"" + std::to_string(shard) + "\"} " +
           std::to_string(depth) + "\n";
  return out;
}

}  // namespace dsb::server
