// TLS material as files for client libraries that only take paths (libpq,
// MariaDB Connector/C): a private directory (0700) with 0600 files, removed
// when the TlsFiles object is destroyed. The directory is made under $TMPDIR
// when set, else under /dev/shm (memory: keys never reach a disk), else /tmp.
#pragma once

#include "core/failure.hpp"
#include "drivers/connection_spec.hpp"

#include <string>
#include <string_view>

namespace dsb::drivers {

class TlsFiles {
 public:
  // Writes the PEM blocks of `tls` that are set (CA, client certificate,
  // client key) into a fresh private directory. Writes nothing and creates no
  // directory when TLS is disabled. Returns an internal error when the
  // directory or a file cannot be written.
  static Result<TlsFiles> create(const TlsSettings& tls);
  // Only the private directory (for a unix socket, say).
  static Result<TlsFiles> empty_dir();

  TlsFiles() = default;
  TlsFiles(TlsFiles&& other) noexcept;
  TlsFiles& operator=(TlsFiles&& other) noexcept;
  TlsFiles(const TlsFiles&) = delete;
  TlsFiles& operator=(const TlsFiles&) = delete;
  ~TlsFiles();

  // The private directory; empty when nothing was written.
  const std::string& dir() const { return dir_; }
  // Paths of the written files; empty when that PEM block was not given.
  const std::string& ca_path() const { return ca_path_; }
  const std::string& cert_path() const { return cert_path_; }
  const std::string& key_path() const { return key_path_; }
  // A path inside the private directory that never exists (nobody else can
  // create files there): points a library's default lookups (~/.postgresql)
  // at nothing.
  std::string absent_path(std::string_view name) const;

  // Removes the directory and everything in it now (also done by the
  // destructor).
  void remove();

 private:
  std::string dir_;
  std::string ca_path_;
  std::string cert_path_;
  std::string key_path_;
};

}  // namespace dsb::drivers
