// An org never sees another org's records: on every route that takes an id,
// another org's id answers exactly as an id that does not exist.
#include "tests/integration/broker_fixture.hpp"

namespace dsb::test {
namespace {

class CrossOrgTest : public BrokerTest {
 protected:
  void SetUp() override {
    BrokerTest::SetUp();
    a_ = create_org("acme");
    b_ = create_org("globex");
    ca_ = client(a_.token);
    cb_ = client(b_.token);
  }

  // The status and code `c` gets for `method path`; the message with the id
  // taken out, so "another org's id" and "no such id" compare equal.
  struct Answer {
    int status;
    std::string code;
    std::string message;
    bool operator==(const Answer&) const = default;
  };
  static Answer answer(const HttpResult& r, const std::string& id) {
    std::string message = str(r.json(), "message");
    for (auto pos = message.find(id); pos != std::string::npos; pos = message.find(id))
      message.replace(pos, id.size(), "<id>");
    return {r.status, str(r.json(), "code"), message};
  }

  OrgAccess a_, b_;
  std::unique_ptr<HttpClient> ca_, cb_;
};

constexpr const char* kMissing = "01890000-0000-7000-8000-00000000dead";

TEST_F(CrossOrgTest, EveryDatasourceRouteAnswers404AsForAMissingId) {
  const auto theirs = create_datasource(*ca_, pg_body("secret-warehouse"));
  const std::string id = str(theirs, "id");

  struct Call {
    std::string method;
    std::string path;  // {} = the id
    std::string body;
    std::map<std::string, std::string> headers;
  };
  const std::string put_body = json::serialize(pg_body("stolen"));
  const std::vector<Call> calls = {
      {"GET", "/v1/datasources/{}", {}, {}},
      {"PUT", "/v1/datasources/{}?test=false", put_body, {}},
      {"PUT", "/v1/datasources/{}?test=false", put_body, {{"If-Match", "\"v1\""}}},
      {"PATCH", "/v1/datasources/{}?test=false", R"({"host":"evil"})", {}},
      {"PATCH", "/v1/datasources/{}?test=false", R"({"host":"evil"})", {{"If-Match", "\"v7\""}}},
      {"DELETE", "/v1/datasources/{}", {}, {}},
      {"DELETE", "/v1/datasources/{}", {}, {{"If-Match", "\"v1\""}}},
      // The connection-test and schema routes under a datasource.
      {"POST", "/v1/datasources/{}/test", {}, {}},
      {"GET", "/v1/datasources/{}/schema", {}, {}},
      {"POST", "/v1/datasources/{}/schema/refresh", {}, {}},
  };
  for (const auto& call : calls) {
    auto path_for = [&](const std::string& which) {
      std::string p = call.path;
      return p.replace(p.find("{}"), 2, which);
    };
    auto other = cb_->request(call.method, path_for(id), call.body, call.headers);
    auto missing = cb_->request(call.method, path_for(kMissing), call.body, call.headers);
    SCOPED_TRACE(call.method + " " + call.path);
    expect_error(other, 404, "NOT_FOUND");
    expect_error(missing, 404, "NOT_FOUND");
    EXPECT_EQ(answer(other, id), answer(missing, kMissing)) << other.body << " vs " << missing.body;
    EXPECT_EQ(other.body.find("secret-warehouse"), std::string::npos);
  }

  // Nothing happened to it, and globex's list does not show it.
  auto mine = ca_->get("/v1/datasources/" + id);
  ASSERT_EQ(mine.status, 200);
  EXPECT_EQ(mine.json(), json::value(theirs));
  auto list = cb_->get("/v1/datasources");
  ASSERT_EQ(list.status, 200);
  EXPECT_TRUE(list.json().at("items").as_array().empty()) << list.body;
  auto filtered = cb_->get("/v1/datasources?type=postgres&cursor=" + id);
  ASSERT_EQ(filtered.status, 200);
  EXPECT_TRUE(filtered.json().at("items").as_array().empty()) << filtered.body;
}

TEST_F(CrossOrgTest, TokenRoutesAnswer404AsForAMissingId) {
  auto made = ca_->post("/v1/tokens", json::object{{"name", "acme-ci"}});
  ASSERT_EQ(made.status, 201);
  for (const std::string& id : {str(made.json(), "id"), a_.token_id}) {
    auto other = cb_->del("/v1/tokens/" + id);
    auto missing = cb_->del(std::string("/v1/tokens/") + kMissing);
    expect_error(other, 404, "NOT_FOUND");
    expect_error(missing, 404, "NOT_FOUND");
    EXPECT_EQ(answer(other, id), answer(missing, kMissing));
  }
  // acme's tokens still work and globex does not list them.
  EXPECT_EQ(client(str(made.json(), "token"))->get("/v1/tokens").status, 200);
  EXPECT_EQ(ca_->get("/v1/tokens").status, 200);
  auto list = cb_->get("/v1/tokens");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json().at("items").as_array().size(), 1u) << list.body;
  EXPECT_EQ(str(list.json().at("items").as_array()[0], "id"), b_.token_id);
}

TEST_F(CrossOrgTest, NamesAreUniquePerOrgOnly) {
  const auto a = create_datasource(*ca_, pg_body("shared-name"));
  const auto b = create_datasource(*cb_, pg_body("shared-name"));
  EXPECT_NE(str(a, "id"), str(b, "id"));
  // Renames in one org do not collide with the other's names either.
  create_datasource(*cb_, pg_body("only-in-globex"));
  EXPECT_EQ(ca_->patch(ds_path(str(a, "id")), json::object{{"name", "only-in-globex"}}).status,
            200);
}

TEST_F(CrossOrgTest, DeletingAnOrgLeavesTheOtherIntact) {
  const auto a = create_datasource(*ca_, pg_body("a1"));
  const auto b = create_datasource(*cb_, pg_body("b1"));
  ASSERT_EQ(admin()->del("/v1/orgs/" + a_.id).status, 204);
  expect_error(ca_->get("/v1/datasources/" + str(a, "id")), 401, "AUTHENTICATION_ERROR");
  expect_error(cb_->get("/v1/datasources/" + str(a, "id")), 404, "NOT_FOUND");
  auto still = cb_->get("/v1/datasources/" + str(b, "id"));
  EXPECT_EQ(still.status, 200);
  EXPECT_EQ(still.json(), json::value(b));
}

}  // namespace
}  // namespace dsb::test
