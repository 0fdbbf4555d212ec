#include "store/free_space_guard.hpp"

#include <sys/statvfs.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <thread>

namespace dsb::store {

namespace {

class FreeSpaceGuard final : public Store {
 public:
  FreeSpaceGuard(std::unique_ptr<Store> inner, std::string dir, std::uint64_t min_free_bytes,
                 int interval_ms)
      : inner_(std::move(inner)), dir_(std::move(dir)), min_free_(min_free_bytes) {
    measure();
    watcher_ = std::jthread([this, interval_ms](std::stop_token stop) {
      std::mutex m;
      std::condition_variable_any wake;
      std::unique_lock lock(m);
      while (!wake.wait_for(lock, stop, std::chrono::milliseconds(interval_ms),
                            [&] { return stop.stop_requested(); }))
        measure();
    });
  }

  Result<std::optional<std::string>> get(Family f, std::string_view key) override {
    return inner_->get(f, key);
  }

  Result<void> write(const Batch& batch) override {
    const bool deletes_only = std::all_of(batch.ops().begin(), batch.ops().end(),
                                          [](const Batch::Op& op) { return !op.value; });
    if (low_ && !deletes_only) {
      return fail(507, "STORAGE_FULL",
                  "the broker's disk has less than " + std::to_string(min_free_ >> 20) +
                      " MB free (storage.min_free_mb): writes are refused until space is freed");
    }
    return inner_->write(batch);
  }

  Result<std::vector<KeyValue>> scan(Family f, std::string_view prefix, std::string_view after,
                                     std::size_t limit) override {
    return inner_->scan(f, prefix, after, limit);
  }

  Result<void> erase_prefix(std::string_view prefix) override {
    return inner_->erase_prefix(prefix);
  }

  bool is_open() const override { return inner_->is_open(); }

 private:
  void measure() {
    struct statvfs fs {};
    if (::statvfs(dir_.c_str(), &fs) != 0) return;  // keep the last answer
    const std::uint64_t free = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
    low_ = free < min_free_;
  }

  std::unique_ptr<Store> inner_;
  std::string dir_;
  std::uint64_t min_free_;
  std::atomic<bool> low_{false};
  std::jthread watcher_;  // last: stops (and joins) before the members it reads go
};

}  // namespace

std::unique_ptr<Store> guard_free_space(std::unique_ptr<Store> inner, std::string dir,
                                        std::uint64_t min_free_bytes, int interval_ms) {
  return std::make_unique<FreeSpaceGuard>(std::move(inner), std::move(dir), min_free_bytes,
                                          interval_ms);
}

}  // namespace dsb::store
