// A full disk must not take the broker down: Debian's RocksDB aborts the
// process when a write-ahead-log write fails (an assertion left on in its
// build). So writes are refused with 507 STORAGE_FULL while the filesystem
// holding the store has less than a configured floor of free space, well
// before RocksDB could hit ENOSPC; reads go on, and batches that only delete
// still pass so space can be freed.
#pragma once

#include "store/store.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace dsb::store {

// Wraps `inner` (whose files live in `dir`). A thread of its own measures the
// free space every `interval_ms` (statvfs: never on a shard thread).
std::unique_ptr<Store> guard_free_space(std::unique_ptr<Store> inner, std::string dir,
                                        std::uint64_t min_free_bytes, int interval_ms = 1000);

}  // namespace dsb::store
