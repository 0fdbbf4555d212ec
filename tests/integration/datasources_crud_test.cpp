// The native datasource API: create/read/replace/patch/delete, versions and
// If-Match, merge-patch semantics, secrets shown only as {"set": bool}, and
// name uniqueness.
#include "tests/integration/broker_fixture.hpp"

namespace dsb::test {
namespace {

class DatasourcesTest : public BrokerTest {
 protected:
  void SetUp() override {
    BrokerTest::SetUp();
    org_ = create_org("acme");
    c_ = client(org_.token);
  }
  OrgAccess org_;
  std::unique_ptr<HttpClient> c_;
};

const json::value& at(const json::value& v, const char* key) {
  return v.as_object().at(key);
}

TEST_F(DatasourcesTest, CreateReadReplaceDelete) {
  auto made = c_->post("/v1/datasources?test=false", pg_body("warehouse"));
  ASSERT_EQ(made.status, 201) << made.body;
  const auto v = made.json();
  const std::string id = str(v, "id");
  EXPECT_EQ(made.header("etag"), "\"v1\"");
  EXPECT_EQ(made.header("location"), "/v1/datasources/" + id);
  EXPECT_EQ(made.header("content-type"), "application/json");
  EXPECT_EQ(str(v, "name"), "warehouse");
  EXPECT_EQ(str(v, "type"), "postgres");
  EXPECT_EQ(str(v, "host"), "db.internal");
  EXPECT_EQ(at(v, "port"), json::value(5432));
  EXPECT_EQ(str(v, "database"), "sales");
  EXPECT_EQ(str(v, "schema"), "public");
  EXPECT_EQ(str(v, "username"), "report");
  EXPECT_EQ(at(v, "password"), json::value(json::object{{"set", true}}));
  EXPECT_EQ(str(v, "status"), "untested");
  EXPECT_EQ(at(v, "version"), json::value(1));
  EXPECT_EQ(str(v, "created_by"), org_.token_id);
  EXPECT_EQ(str(v, "updated_by"), org_.token_id);
  EXPECT_FALSE(str(v, "created_at").empty());
  EXPECT_EQ(str(v, "created_at"), str(v, "updated_at"));

  auto got = c_->get("/v1/datasources/" + id);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json(), v);
  EXPECT_EQ(got.header("etag"), "\"v1\"");

  // PUT replaces everything: schema left out is gone, the port falls back to
  // the default, the secret left out is kept.
  json::object next = pg_body("warehouse-2");
  next.erase("schema");
  next.erase("port");
  next.erase("password");
  next["host"] = "db2.internal";
  auto put = c_->put(ds_path(id), next, {{"If-Match", "\"v1\""}});
  ASSERT_EQ(put.status, 200) << put.body;
  const auto p = put.json();
  EXPECT_EQ(put.header("etag"), "\"v2\"");
  EXPECT_EQ(at(p, "version"), json::value(2));
  EXPECT_EQ(str(p, "name"), "warehouse-2");
  EXPECT_EQ(str(p, "host"), "db2.internal");
  EXPECT_FALSE(p.as_object().contains("schema")) << put.body;
  EXPECT_EQ(at(p, "port"), json::value(5432));
  EXPECT_EQ(at(p, "password"), json::value(json::object{{"set", true}}));
  EXPECT_EQ(str(p, "created_at"), str(v, "created_at"));
  EXPECT_EQ(str(p, "id"), id);
  EXPECT_EQ(c_->get("/v1/datasources/" + id).json(), p);

  // The old name is free, the new one taken.
  EXPECT_EQ(c_->post("/v1/datasources?test=false", pg_body("warehouse")).status, 201);
  expect_error(c_->post("/v1/datasources?test=false", pg_body("warehouse-2")), 409,
               "DATASOURCE_NAME_ERROR");

  auto del = c_->request("DELETE", "/v1/datasources/" + id, {}, {{"If-Match", "\"v2\""}});
  EXPECT_EQ(del.status, 204) << del.body;
  EXPECT_TRUE(del.body.empty());
  expect_error(c_->get("/v1/datasources/" + id), 404, "NOT_FOUND");
  expect_error(c_->del("/v1/datasources/" + id), 404, "NOT_FOUND");
  expect_error(c_->put(ds_path(id), pg_body("again")), 404, "NOT_FOUND");
  expect_error(c_->patch(ds_path(id), json::object{{"host", "x"}}), 404, "NOT_FOUND");
  // Deleting freed the name.
  EXPECT_EQ(c_->post("/v1/datasources?test=false", pg_body("warehouse-2")).status, 201);
}

TEST_F(DatasourcesTest, NameConflictOnCreateAndOnRename) {
  const auto a = create_datasource(*c_, pg_body("alpha"));
  const auto b = create_datasource(*c_, pg_body("beta"));
  auto dup = c_->post("/v1/datasources?test=false", pg_body("alpha"));
  expect_error(dup, 409, "DATASOURCE_NAME_ERROR");
  EXPECT_TRUE(has_detail(dup, "name"));
  // Names are exact: another case is another name.
  EXPECT_EQ(c_->post("/v1/datasources?test=false", pg_body("Alpha")).status, 201);

  const std::string b_id = str(b, "id");
  auto put = c_->put(ds_path(b_id), pg_body("alpha"));
  expect_error(put, 409, "DATASOURCE_NAME_ERROR");
  auto patch = c_->patch(ds_path(b_id), json::object{{"name", "alpha"}});
  expect_error(patch, 409, "DATASOURCE_NAME_ERROR");
  EXPECT_TRUE(has_detail(patch, "name"));
  // Nothing changed, and keeping one's own name is no conflict.
  auto still = c_->get("/v1/datasources/" + b_id);
  EXPECT_EQ(str(still.json(), "name"), "beta");
  EXPECT_EQ(at(still.json(), "version"), json::value(1));
  EXPECT_EQ(c_->patch(ds_path(b_id), json::object{{"name", "beta"}}).status, 200);
  EXPECT_EQ(c_->put(ds_path(str(a, "id")), pg_body("alpha")).status, 200);
}

TEST_F(DatasourcesTest, IfMatchGuardsEveryWrite) {
  const auto d = create_datasource(*c_, pg_body("guarded"));
  const std::string id = str(d, "id");

  auto p2 = c_->patch(ds_path(id), json::object{{"host", "h2"}}, {{"If-Match", "\"v1\""}});
  ASSERT_EQ(p2.status, 200) << p2.body;
  EXPECT_EQ(p2.header("etag"), "\"v2\"");

  // Stale: 412 on PATCH, PUT and DELETE, and nothing changes.
  auto stale = c_->patch(ds_path(id), json::object{{"host", "h3"}}, {{"If-Match", "\"v1\""}});
  expect_error(stale, 412, "PRECONDITION_FAILED");
  expect_error(c_->put(ds_path(id), pg_body("guarded"), {{"If-Match", "\"v1\""}}), 412,
               "PRECONDITION_FAILED");
  expect_error(c_->request("DELETE", "/v1/datasources/" + id, {}, {{"If-Match", "\"v1\""}}), 412,
               "PRECONDITION_FAILED");
  expect_error(c_->patch(ds_path(id), json::object{{"host", "h3"}}, {{"If-Match", "\"v9\""}}), 412,
               "PRECONDITION_FAILED");
  auto now = c_->get("/v1/datasources/" + id);
  EXPECT_EQ(now.header("etag"), "\"v2\"");
  EXPECT_EQ(str(now.json(), "host"), "h2");

  // Current: 200, and every successful write moves the ETag.
  auto put = c_->put(ds_path(id), pg_body("guarded"), {{"If-Match", now.header("etag")}});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.header("etag"), "\"v3\"");
  auto any = c_->patch(ds_path(id), json::object{{"host", "h4"}}, {{"If-Match", "*"}});
  ASSERT_EQ(any.status, 200) << any.body;
  EXPECT_EQ(any.header("etag"), "\"v4\"");
  auto bare = c_->patch(ds_path(id), json::object{{"host", "h5"}});
  EXPECT_EQ(bare.header("etag"), "\"v5\"");
  EXPECT_EQ(at(bare.json(), "version"), json::value(5));

  // A failed write (bad body) does not move the version.
  expect_error(c_->patch(ds_path(id), json::object{{"port", "x"}}), 400, "INVALID_REQUEST_BODY");
  EXPECT_EQ(c_->get("/v1/datasources/" + id).header("etag"), "\"v5\"");

  // An If-Match this server never issued is a bad request, not a mismatch.
  expect_error(c_->patch(ds_path(id), json::object{{"host", "x"}}, {{"If-Match", "\"abc\""}}), 400,
               "INVALID_REQUEST");
  EXPECT_EQ(c_->request("DELETE", "/v1/datasources/" + id, {}, {{"If-Match", "\"v5\""}}).status,
            204);
}

TEST_F(DatasourcesTest, PatchIsAJsonMergePatch) {
  json::object body = pg_body("merge");
  body["options"] = json::object{{"ssl", "enable"}};
  body["tls"] = json::object{{"mode", "require"}};
  const auto d = create_datasource(*c_, body);
  const std::string id = str(d, "id");
  EXPECT_EQ(str(at(json::value(d), "options"), "ssl"), "enable");

  // A plain field changes; the secret left out is kept.
  auto host = c_->patch(ds_path(id), json::object{{"host", "db9.internal"}});
  ASSERT_EQ(host.status, 200) << host.body;
  auto v = host.json();
  EXPECT_EQ(str(v, "host"), "db9.internal");
  EXPECT_EQ(str(v, "database"), "sales");
  EXPECT_EQ(at(v, "password"), json::value(json::object{{"set", true}}));

  // null removes a field; nested objects merge key by key.
  auto rm = c_->patch(
      ds_path(id), json::object{{"schema", nullptr}, {"options", json::object{{"ssl", nullptr}}}});
  ASSERT_EQ(rm.status, 200) << rm.body;
  v = rm.json();
  EXPECT_FALSE(v.as_object().contains("schema")) << rm.body;
  EXPECT_FALSE(at(v, "options").as_object().contains("ssl")) << rm.body;
  EXPECT_EQ(str(at(v, "tls"), "mode"), "require");
  EXPECT_EQ(at(v, "password"), json::value(json::object{{"set", true}}));

  // A new secret value replaces the old, still shown only as set.
  auto pw = c_->patch(ds_path(id), json::object{{"password", "another-secret-value"}});
  ASSERT_EQ(pw.status, 200) << pw.body;
  EXPECT_EQ(at(pw.json(), "password"), json::value(json::object{{"set", true}}));
  EXPECT_EQ(pw.body.find("another-secret-value"), std::string::npos);

  // postgres requires a password: clearing it is refused and changes nothing.
  auto clear = c_->patch(ds_path(id), json::object{{"password", nullptr}});
  expect_error(clear, 400, "INVALID_REQUEST_BODY");
  EXPECT_TRUE(has_detail(clear, "password"));
  EXPECT_EQ(at(c_->get("/v1/datasources/" + id).json(), "password"),
            json::value(json::object{{"set", true}}));

  // Patching an unknown field or a bad value names the field.
  auto unknown = c_->patch(ds_path(id), json::object{{"colour", "blue"}});
  expect_error(unknown, 400, "INVALID_REQUEST_BODY");
  EXPECT_TRUE(has_detail(unknown, "colour"));
  // Removing a required field is refused.
  auto no_host = c_->patch(ds_path(id), json::object{{"host", nullptr}});
  expect_error(no_host, 400, "INVALID_REQUEST_BODY");
  EXPECT_TRUE(has_detail(no_host, "host"));
}

TEST_F(DatasourcesTest, SecretNullClearsAnOptionalSecret) {
  // trino's password is optional, so null may clear it.
  const auto d = create_datasource(*c_, json::object{{"name", "lake"},
                                                     {"type", "trino"},
                                                     {"host", "trino.internal"},
                                                     {"username", "analyst"},
                                                     {"password", kPassword}});
  const std::string id = str(d, "id");
  EXPECT_EQ(at(json::value(d), "password"), json::value(json::object{{"set", true}}));

  auto kept = c_->patch(ds_path(id), json::object{{"username", "analyst2"}});
  ASSERT_EQ(kept.status, 200) << kept.body;
  EXPECT_EQ(at(kept.json(), "password"), json::value(json::object{{"set", true}}));

  auto cleared = c_->patch(ds_path(id), json::object{{"password", nullptr}});
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_EQ(at(cleared.json(), "password"), json::value(json::object{{"set", false}}));
  EXPECT_EQ(at(c_->get("/v1/datasources/" + id).json(), "password"),
            json::value(json::object{{"set", false}}));

  auto set_again = c_->put(ds_path(id), json::object{{"name", "lake"},
                                                     {"type", "trino"},
                                                     {"host", "trino.internal"},
                                                     {"username", "analyst"},
                                                     {"password", "pw2"}});
  ASSERT_EQ(set_again.status, 200) << set_again.body;
  EXPECT_EQ(at(set_again.json(), "password"), json::value(json::object{{"set", true}}));
  auto put_null = c_->put(ds_path(id), json::object{{"name", "lake"},
                                                    {"type", "trino"},
                                                    {"host", "trino.internal"},
                                                    {"username", "analyst"},
                                                    {"password", nullptr}});
  ASSERT_EQ(put_null.status, 200) << put_null.body;
  EXPECT_EQ(at(put_null.json(), "password"), json::value(json::object{{"set", false}}));
}

TEST_F(DatasourcesTest, NestedSecretsAreKeptAcrossPatches) {
  json::object body = pg_body("tunnelled");
  body["ssh"] = json::object{{"enabled", true},
                             {"host", "bastion.internal"},
                             {"username", "jump"},
                             {"password", "ssh-pw-5b7e0c"}};
  const auto d = create_datasource(*c_, body);
  const std::string id = str(d, "id");
  const json::value created(d);
  const auto& ssh = at(created, "ssh");
  EXPECT_EQ(at(ssh, "password"), json::value(json::object{{"set", true}}));
  EXPECT_EQ(str(ssh, "host"), "bastion.internal");

  auto moved = c_->patch(ds_path(id), json::object{{"ssh", json::object{{"host", "b2.internal"}}}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  const auto moved_v = moved.json();
  const auto& ssh2 = at(moved_v, "ssh");
  EXPECT_EQ(str(ssh2, "host"), "b2.internal");
  EXPECT_EQ(str(ssh2, "username"), "jump");
  EXPECT_EQ(at(ssh2, "password"), json::value(json::object{{"set", true}}));
  EXPECT_EQ(moved.body.find("ssh-pw-5b7e0c"), std::string::npos);
}

TEST_F(DatasourcesTest, ListShowsRecordsWithSecretsHidden) {
  for (int i = 0; i < 3; ++i) create_datasource(*c_, pg_body("ds-" + std::to_string(i)));
  auto list = c_->get("/v1/datasources");
  ASSERT_EQ(list.status, 200) << list.body;
  const auto v = list.json();
  const auto& items = at(v, "items").as_array();
  ASSERT_EQ(items.size(), 3u);
  for (const auto& it : items)
    EXPECT_EQ(at(it, "password"), json::value(json::object{{"set", true}}));
  EXPECT_TRUE(at(v, "next_cursor").is_null());
  EXPECT_EQ(list.body.find(kPassword), std::string::npos);
}

}  // namespace
}  // namespace dsb::test
