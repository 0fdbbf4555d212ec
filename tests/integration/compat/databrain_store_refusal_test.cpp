// Databrain's CREATE_DATASOURCE_FAILED: the connection test passed against
// the real PostgreSQL, then the store refused the write. The broker runs in
// this process so the disk can be stood in for: a real write-ahead-log
// failure (a full disk, RLIMIT_FSIZE) aborts the process inside Debian's
// RocksDB 7.8.3, which is built with assertions
// (WritableFileWriter::AssertFalseAndGetStatusForPrevError; fixed upstream by
// facebook/rocksdb#12448). RefusingStore passes everything to the real
// RocksDB store until it is armed, then refuses writes as a full disk would.
#include "server/app.hpp"
#include "server/server.hpp"
#include "tests/integration/api/api_fixture.hpp"
#include "tests/integration/compat/doc_examples.hpp"
#include "tests/support/broker_process.hpp"
#include "tests/support/http_client.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <atomic>

namespace dsb::test {
namespace {

class RefusingStore : public store::Store {
 public:
  RefusingStore(std::unique_ptr<store::Store> inner, std::atomic<bool>& armed)
      : inner_(std::move(inner)), armed_(armed) {}

  Result<std::optional<std::string>> get(store::Family f, std::string_view key) override {
    return inner_->get(f, key);
  }
  Result<void> write(const store::Batch& batch) override {
    if (armed_) return internal_error("IO error: No space left on device: While appending to WAL");
    return inner_->write(batch);
  }
  Result<std::vector<store::KeyValue>> scan(store::Family f, std::string_view prefix,
                                            std::string_view after, std::size_t limit) override {
    return inner_->scan(f, prefix, after, limit);
  }
  Result<void> erase_prefix(std::string_view prefix) override {
    return inner_->erase_prefix(prefix);
  }
  bool is_open() const override { return inner_->is_open(); }

 private:
  std::unique_ptr<store::Store> inner_;
  std::atomic<bool>& armed_;
};

constexpr const char* kAdmin = "refusal-test-admin-token-4f1c2e";

TEST(DatabrainStoreRefusal, CreateDatasourceFailedAndNothingStored) {
  TempDir dir;
  config::Config cfg;
  cfg.storage.data_dir = dir.path();
  cfg.server.listen = "127.0.0.1:0";
  cfg.server.threads = 1;
  cfg.auth.admin_token = kAdmin;
  cfg.log.requests = false;
  std::atomic<bool> armed{false};
  auto app = server::build_app(cfg, [&armed](std::unique_ptr<store::Store> rocks) {
    return std::make_unique<RefusingStore>(std::move(rocks), armed);
  });
  server::Server broker(*app);
  const auto port = broker.start().port();

  HttpClient admin("127.0.0.1", port);
  admin.set_bearer(kAdmin);
  const auto org = admin.post("/v1/orgs", json::object{{"name", "refusal"}});
  ASSERT_EQ(org.status, 201) << org.body;
  HttpClient client("127.0.0.1", port);
  client.set_bearer(str(org.json().at("token"), "token"));

  json::object body = json::parse(doc::kDatabrainRequest).as_object();
  json::object& c = body["credentials"].as_object();
  c["host"] = "127.0.0.1";
  c["port"] = services().pg;
  c["username"] = "testuser";
  c["password"] = "testpass";
  c["database"] = "testdb";
  armed = true;
  const auto refused = client.post("/api/v2/datasource", body);
  armed = false;

  EXPECT_EQ(refused.status, 500) << refused.body;
  const json::value answer = refused.json();
  ASSERT_TRUE(answer.is_object()) << refused.body;
  const auto& error = answer.at("error");
  EXPECT_EQ(str(error, "code"), "CREATE_DATASOURCE_FAILED");
  EXPECT_EQ(str(error, "message").find("testpass"), std::string::npos);
  // Nothing was kept: neither the datasource nor its name.
  const auto list = client.get("/api/v2/datasource");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_TRUE(list.json().at("data").as_array().empty()) << list.body;
  EXPECT_EQ(client.post("/api/v2/datasource", body).status, 200);

  broker.stop(std::chrono::seconds(2));
}

}  // namespace
}  // namespace dsb::test
