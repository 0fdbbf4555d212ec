#include "drivers/tls_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace dsb::drivers {

namespace {

// $TMPDIR when set; else /dev/shm, so keys never reach a disk and creating
// the files costs microseconds (on ext4 each new inode can take milliseconds
// of the shard's time); else /tmp.
std::string temp_root() {
  const char* tmp = std::getenv("TMPDIR");
  if (tmp != nullptr && *tmp == '/') return tmp;
  struct stat shm {};
  if (::stat("/dev/shm", &shm) == 0 && S_ISDIR(shm.st_mode) && ::access("/dev/shm", W_OK) == 0) {
    return "/dev/shm";
  }
  return "/tmp";
}

std::string errno_text(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

// Creates `path` exclusively with mode 0600 and writes `content` to it.
Result<void> write_private_file(const std::string& path, std::string_view content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return internal_error(errno_text("cannot create a TLS file"));
  bool ok = ::fchmod(fd, 0600) == 0;
  std::size_t done = 0;
  while (ok && done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  const std::string problem = ok ? "" : errno_text("cannot write a TLS file");
  ::close(fd);
  if (!ok) return internal_error(problem);
  return {};
}

}  // namespace

Result<TlsFiles> TlsFiles::empty_dir() {
  TlsFiles files;
  std::string pattern = temp_root() + "/dsb-tls-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return internal_error(errno_text("cannot create a private TLS directory"));
  }
  files.dir_ = pattern;  // mkdtemp creates it with mode 0700
  if (::chmod(files.dir_.c_str(), 0700) != 0) {
    return internal_error(errno_text("cannot restrict the TLS directory"));
  }
  return files;
}

Result<TlsFiles> TlsFiles::create(const TlsSettings& tls) {
  if (!tls.enabled()) return TlsFiles();
  auto made = empty_dir();
  if (!made) return made.error();
  TlsFiles files = std::move(*made);

  const std::pair<const std::string*, std::string*> blocks[] = {
      {&tls.ca_pem, &files.ca_path_},
      {&tls.cert_pem, &files.cert_path_},
      {&tls.key_pem, &files.key_path_},
  };
  const char* names[] = {"ca.crt", "client.crt", "client.key"};
  for (std::size_t i = 0; i < std::size(blocks); ++i) {
    if (blocks[i].first->empty()) continue;
    const std::string path = files.dir_ + "/" + names[i];
    auto written = write_private_file(path, *blocks[i].first);
    if (!written) return written.error();  // `files` removes what exists
    *blocks[i].second = path;
  }
  return files;
}

TlsFiles::TlsFiles(TlsFiles&& other) noexcept
    : dir_(std::exchange(other.dir_, {})),
      ca_path_(std::exchange(other.ca_path_, {})),
      cert_path_(std::exchange(other.cert_path_, {})),
      key_path_(std::exchange(other.key_path_, {})) {}

TlsFiles& TlsFiles::operator=(TlsFiles&& other) noexcept {
  if (this != &other) {
    remove();
    dir_ = std::exchange(other.dir_, {});
    ca_path_ = std::exchange(other.ca_path_, {});
    cert_path_ = std::exchange(other.cert_path_, {});
    key_path_ = std::exchange(other.key_path_, {});
  }
  return *this;
}

TlsFiles::~TlsFiles() {
  remove();
}

std::string TlsFiles::absent_path(std::string_view name) const {
  return dir_ + "/absent-" + std::string(name);
}

void TlsFiles::remove() {
  if (dir_.empty()) return;
  if (DIR* dir = ::opendir(dir_.c_str())) {
    while (const dirent* entry = ::readdir(dir)) {
      const std::string name = entry->d_name;
      if (name != "." && name != "..") ::unlink((dir_ + "/" + name).c_str());
    }
    ::closedir(dir);
  }
  ::rmdir(dir_.c_str());
  dir_.clear();
  ca_path_.clear();
  cert_path_.clear();
  key_path_.clear();
}

}  // namespace dsb::drivers
