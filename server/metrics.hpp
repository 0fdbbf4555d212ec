// Request metrics kept per shard (no locks, no shared counters on the hot
// path) and merged only when /metrics is scraped.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>

namespace dsb::server {

inline constexpr std::array<double, 12> kLatencyBucketsSeconds = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0};

struct LatencyHistogram {
  std::array<std::uint64_t, kLatencyBucketsSeconds.size()> buckets{};  // cumulative at render
  std::uint64_t count = 0;
  double sum = 0;
  void observe(double seconds);
  void merge(const LatencyHistogram& other);
};

// Lives on one shard; copied out by value to be merged.
struct ShardMetrics {
  // (route template, method, status) -> count
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests;
  std::map<std::string, LatencyHistogram> latency;  // by route template

  void record(const std::string& route, const std::string& method, int status, double seconds);
  void merge(const ShardMetrics& other);
};

struct Gauges {
  std::int64_t open_connections = 0;
  std::map<std::size_t, std::int64_t> shard_pending;  // shard -> handed-over requests waiting
};

// Prometheus text exposition format 0.0.4.
std::string render_prometheus(const ShardMetrics& merged, const Gauges& gauges);

}  // namespace dsb::server
