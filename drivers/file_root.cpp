#include "drivers/file_root.hpp"

#include "drivers/driver.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace dsb::drivers {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

int UniqueFd::release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

namespace {

// O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused after
// fstat anyway); regular files ignore the flag.
constexpr int kOpenFlags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;

Failure denied(std::string_view stage, std::string_view relative, std::string why) {
  return test_failure(std::string(stage), reason::path_denied,
                      "'" + std::string(relative) + "' " + std::move(why));
}

// "" for a path that may be tried, else why it may not.
std::string lexical_problem(std::string_view relative) {
  if (relative.empty()) return "is empty";
  if (relative.find('\0') != std::string_view::npos) return "contains a NUL byte";
  if (relative.front() == '/') return "is absolute; give a path relative to the file root";
  std::size_t at = 0;
  while (at <= relative.size()) {
    std::size_t end = relative.find('/', at);
    if (end == std::string_view::npos) end = relative.size();
    if (relative.substr(at, end - at) == "..")
      return "contains '..'; paths may not leave the file root";
    at = end + 1;
  }
  return {};
}

std::string real_path_of(int fd) {
  char buf[PATH_MAX];
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  const ssize_t n = ::readlink(link.c_str(), buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

bool inside(const std::string& path, const std::string& root) {
  if (path == root) return true;
  const std::string prefix = root == "/" ? root : root + "/";
  return path.rfind(prefix, 0) == 0;
}

// openat2(RESOLVE_BENEATH) where the kernel has it (Linux 5.6+); elsewhere a
// plain openat whose result is checked against the root's real path.
int open_beneath(int root_fd, const std::string& root_real, const std::string& relative) {
  open_how how{};
  how.flags = kOpenFlags;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  const long fd = ::syscall(SYS_openat2, root_fd, relative.c_str(), &how, sizeof how);
  if (fd >= 0 || (errno != ENOSYS && errno != EPERM)) return static_cast<int>(fd);
  // No openat2 (old kernel, or a seccomp filter that rejects it).
  UniqueFd opened(::openat(root_fd, relative.c_str(), kOpenFlags));
  if (!opened) return -1;
  if (!inside(real_path_of(opened.get()), root_real)) {
    errno = EXDEV;
    return -1;
  }
  return opened.release();
}

Failure open_failure(int err, std::string_view stage, std::string_view relative) {
  switch (err) {
    case EXDEV:
    case ELOOP:
      return denied(stage, relative, "resolves outside the file root");
    case ENOENT:
    case ENOTDIR:
      return test_failure(std::string(stage), reason::database_not_found,
                          "'" + std::string(relative) + "' does not exist under the file root");
    case EACCES:
    case EPERM:
      return test_failure(std::string(stage), reason::permission_denied,
                          "the server may not read '" + std::string(relative) + "'");
    default:
      return denied(stage, relative, std::string("cannot be opened: ") + std::strerror(err));
  }
}

struct Root {
  UniqueFd fd;
  std::string real;
};

Result<Root> open_root(const std::string& root, std::string_view stage, std::string_view relative) {
  if (root.empty()) return denied(stage, relative, "cannot be read: no file root is configured");
  Root r{UniqueFd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)), {}};
  if (!r.fd) return denied(stage, relative, "cannot be read: the file root is not accessible");
  r.real = real_path_of(r.fd.get());
  if (r.real.empty()) {
    char buf[PATH_MAX];
    if (::realpath(root.c_str(), buf) != nullptr) r.real = buf;
  }
  return r;
}

}  // namespace

Result<RootedPath> open_under_root(const std::string& root, std::string_view relative,
                                   std::string_view stage) {
  if (std::string why = lexical_problem(relative); !why.empty()) {
    return denied(stage, relative, why);
  }
  auto r = open_root(root, stage, relative);
  if (!r) return r.error();
  const std::string rel(relative);
  UniqueFd fd(open_beneath(r->fd.get(), r->real, rel));
  if (!fd) return open_failure(errno, stage, relative);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return open_failure(errno, stage, relative);
  RootedPath out;
  if (S_ISDIR(st.st_mode)) {
    out.kind = PathKind::folder;
  } else if (S_ISREG(st.st_mode)) {
    out.kind = PathKind::file;
    out.size = static_cast<long long>(st.st_size);
  } else {
    return denied(stage, relative, "is neither a regular file nor a folder");
  }
  // Regular reads must block in the pool thread, not return EAGAIN.
  ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
  out.real_path = real_path_of(fd.get());
  out.relative = rel;
  out.fd = std::move(fd);
  return out;
}

Result<std::vector<std::string>> list_csv_files(const std::string& root, const RootedPath& folder,
                                                std::size_t limit, std::string_view stage) {
  auto r = open_root(root, stage, folder.relative);
  if (!r) return r.error();
  UniqueFd listing(::openat(folder.fd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  DIR* dir = listing ? ::fdopendir(listing.get()) : nullptr;
  if (dir == nullptr) return open_failure(errno, stage, folder.relative);
  listing.release();  // owned by dir now
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name.empty() || name.front() == '.' || name.size() <= 4) continue;
    std::string ext(name.substr(name.size() - 4));
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (ext == ".csv") names.emplace_back(name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  std::vector<std::string> out;
  for (const std::string& name : names) {
    if (out.size() >= limit) break;
    const std::string rel = folder.relative == "." ? name : folder.relative + "/" + name;
    UniqueFd fd(open_beneath(r->fd.get(), r->real, rel));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    out.push_back(rel);
  }
  return out;
}

}  // namespace dsb::drivers
