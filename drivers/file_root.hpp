// Opening paths under the server's file root (files.root) for the csv and
// sqlite drivers, so that nothing outside it is ever opened: the path must be
// relative with no ".." part, and it is resolved by the kernel beneath the
// root (openat2 RESOLVE_BENEATH), so a symlink that leaves the root is
// refused too. These calls block: run them on the blocking pool.
#pragma once

#include "core/failure.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace dsb::drivers {

// An owned file descriptor, closed when destroyed.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }
  int release();
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

enum class PathKind { file, folder };

struct RootedPath {
  UniqueFd fd;  // opened read-only
  PathKind kind = PathKind::file;
  std::string relative;   // as given, e.g. "sales/2024.csv"
  std::string real_path;  // absolute, symlinks resolved, inside the root
  long long size = 0;     // bytes, for files
};

// Opens `relative` beneath `root`. Fails (with `stage` and a reason) with
//   path_denied:        no root configured; an empty, absolute or ".." path;
//                       a symlink that leaves the root; not a file or folder
//                       (a device, a FIFO);
//   database_not_found: nothing exists at that path;
//   permission_denied:  the server may not read it.
Result<RootedPath> open_under_root(const std::string& root, std::string_view relative,
                                   std::string_view stage);

// The *.csv files (regular files, names not starting with '.') directly in
// the folder `folder` (a path relative to root), sorted by name, as paths
// relative to the root. Entries that leave the root are left out. At most
// `limit` names.
Result<std::vector<std::string>> list_csv_files(const std::string& root, const RootedPath& folder,
                                                std::size_t limit, std::string_view stage);

}  // namespace dsb::drivers
