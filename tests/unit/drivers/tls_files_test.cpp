// TlsFiles: a private directory, private files, removed afterwards.
#include "drivers/tls_files.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace dsb::drivers {
namespace {

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::string content(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(TlsFiles, DisabledTlsWritesNothing) {
  TlsSettings tls;
  tls.ca_pem = "ignored";
  auto files = TlsFiles::create(tls);
  ASSERT_TRUE(files);
  EXPECT_TRUE(files->dir().empty());
  EXPECT_TRUE(files->ca_path().empty());
}

TEST(TlsFiles, WritesPrivateFilesAndRemovesThem) {
  TlsSettings tls;
  tls.mode = "verify-full";
  tls.ca_pem = "CA PEM";
  tls.cert_pem = "CERT PEM";
  tls.key_pem = "KEY PEM";
  std::string dir;
  std::string key;
  {
    auto files = TlsFiles::create(tls);
    ASSERT_TRUE(files) << files.error().message;
    dir = files->dir();
    key = files->key_path();
    EXPECT_EQ(mode_of(dir), 0700u);
    for (const auto& [path, text] :
         {std::pair{files->ca_path(), tls.ca_pem}, std::pair{files->cert_path(), tls.cert_pem},
          std::pair{files->key_path(), tls.key_pem}}) {
      EXPECT_EQ(mode_of(path), 0600u) << path;
      EXPECT_EQ(content(path), text);
      EXPECT_EQ(path.rfind(dir + "/", 0), 0u) << path;
    }
    EXPECT_FALSE(exists(files->absent_path("root.crt")));
    EXPECT_EQ(files->absent_path("x").rfind(dir + "/", 0), 0u);
  }
  EXPECT_FALSE(exists(key));
  EXPECT_FALSE(exists(dir));
}

TEST(TlsFiles, RequireWithoutCaWritesNoRootCertificate) {
  TlsSettings tls;
  tls.mode = "require";
  auto files = TlsFiles::create(tls);
  ASSERT_TRUE(files);
  EXPECT_FALSE(files->dir().empty());
  EXPECT_TRUE(files->ca_path().empty());
  EXPECT_TRUE(files->cert_path().empty());
  EXPECT_TRUE(files->key_path().empty());
}

TEST(TlsFiles, MovingTransfersOwnership) {
  TlsSettings tls;
  tls.mode = "verify-ca";
  tls.ca_pem = "CA";
  auto files = TlsFiles::create(tls);
  ASSERT_TRUE(files);
  const std::string dir = files->dir();
  TlsFiles moved = std::move(*files);
  EXPECT_EQ(moved.dir(), dir);
  EXPECT_TRUE(exists(moved.ca_path()));
  moved.remove();
  EXPECT_FALSE(exists(dir));
}

TEST(TlsFiles, EmptyDirIsRemovedWithWhateverItHolds) {
  auto files = TlsFiles::empty_dir();
  ASSERT_TRUE(files);
  const std::string dir = files->dir();
  std::ofstream(dir + "/extra.sock") << "x";
  files->remove();
  EXPECT_FALSE(exists(dir));
}

}  // namespace
}  // namespace dsb::drivers
