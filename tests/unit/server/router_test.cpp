// Route matching: literals, parameters, literal-beats-parameter, and the
// allowed methods of a path for 405 answers.
#include "server/router.hpp"

#include <gtest/gtest.h>

namespace dsb::server {
namespace {

using http::verb;

Handler nothing() {
  return [](RequestContext&) -> boost::asio::awaitable<Response> { co_return Response{}; };
}

class RouterTest : public ::testing::Test {
 protected:
  void add(verb m, std::string pattern) {
    Route r;  // member by member: Route may grow fields with defaults
    r.method = m;
    r.pattern = std::move(pattern);
    r.access = Access::org;
    r.handler = nothing();
    router_.add(std::move(r));
  }
  const Route* match(verb m, std::string_view path) {
    params_.clear();
    last_ = router_.match(m, path, params_);
    return last_.route;
  }
  Router router_;
  std::map<std::string, std::string> params_;
  Router::Match last_;
};

TEST_F(RouterTest, LiteralsAndParameters) {
  add(verb::get, "/v1/datasources");
  add(verb::get, "/v1/datasources/{id}");
  add(verb::get, "/v1/orgs/{org}/tokens/{token}");
  const Route* r = match(verb::get, "/v1/datasources");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->pattern, "/v1/datasources");
  EXPECT_TRUE(params_.empty());
  r = match(verb::get, "/v1/datasources/abc-123");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->pattern, "/v1/datasources/{id}");
  EXPECT_EQ(params_, (std::map<std::string, std::string>{{"id", "abc-123"}}));
  r = match(verb::get, "/v1/orgs/o1/tokens/t2");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(params_, (std::map<std::string, std::string>{{"org", "o1"}, {"token", "t2"}}));
  EXPECT_EQ(match(verb::get, "/v1/datasources/a/b"), nullptr);
  EXPECT_EQ(match(verb::get, "/v1"), nullptr);
  EXPECT_EQ(match(verb::get, "/v1/datasource"), nullptr);
  EXPECT_EQ(match(verb::get, "/V1/datasources"), nullptr);
  EXPECT_TRUE(last_.allowed.empty());
}

TEST_F(RouterTest, LiteralBeatsParameterWhateverTheOrder) {
  add(verb::post, "/v1/datasources/{id}");
  add(verb::post, "/v1/datasources/test");
  add(verb::get, "/v1/datasources/{id}/schema");
  add(verb::get, "/v1/datasources/test/{job}");
  const Route* r = match(verb::post, "/v1/datasources/test");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->pattern, "/v1/datasources/test");
  EXPECT_TRUE(params_.empty()) << "params of the losing route leaked";
  r = match(verb::post, "/v1/datasources/other");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->pattern, "/v1/datasources/{id}");
  EXPECT_EQ(params_.at("id"), "other");
  r = match(verb::get, "/v1/datasources/test/schema");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->pattern, "/v1/datasources/test/{job}");
  EXPECT_EQ(params_, (std::map<std::string, std::string>{{"job", "schema"}}));
}

TEST_F(RouterTest, ParameterServesAMethodTheLiteralLacks) {
  add(verb::post, "/v1/datasources/test");
  add(verb::get, "/v1/datasources/{id}");
  const Route* r = match(verb::get, "/v1/datasources/test");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->pattern, "/v1/datasources/{id}");
  EXPECT_EQ(params_.at("id"), "test");
}

TEST_F(RouterTest, WrongMethodListsTheAllowedOnesOnce) {
  add(verb::get, "/v1/datasources");
  add(verb::post, "/v1/datasources");
  add(verb::get, "/v1/datasources/{id}");
  add(verb::put, "/v1/datasources/{id}");
  add(verb::patch, "/v1/datasources/{id}");
  add(verb::delete_, "/v1/datasources/{id}");
  add(verb::post, "/v1/datasources/test");
  EXPECT_EQ(match(verb::delete_, "/v1/datasources"), nullptr);
  EXPECT_EQ(last_.allowed, (std::vector<std::string>{"GET", "POST"}));
  EXPECT_EQ(match(verb::post, "/v1/datasources/x"), nullptr);
  EXPECT_EQ(last_.allowed, (std::vector<std::string>{"GET", "PUT", "PATCH", "DELETE"}));
  // Every route whose pattern fits the path contributes its method.
  EXPECT_EQ(match(verb::head, "/v1/datasources/test"), nullptr);
  EXPECT_EQ(last_.allowed, (std::vector<std::string>{"GET", "PUT", "PATCH", "DELETE", "POST"}));
  // A match leaves no allowed list behind.
  ASSERT_NE(match(verb::get, "/v1/datasources"), nullptr);
}

TEST_F(RouterTest, EmptySegmentsAreIgnored) {
  add(verb::get, "/v1/datasources");
  add(verb::get, "/healthz");
  EXPECT_NE(match(verb::get, "/v1/datasources/"), nullptr);
  EXPECT_NE(match(verb::get, "//v1//datasources"), nullptr);
  EXPECT_EQ(match(verb::get, "/"), nullptr);
  EXPECT_EQ(match(verb::get, ""), nullptr);
}

TEST_F(RouterTest, RoutesKeepRegistrationOrder) {
  add(verb::get, "/a");
  add(verb::post, "/b/{id}");
  ASSERT_EQ(router_.routes().size(), 2u);
  EXPECT_EQ(router_.routes()[0].pattern, "/a");
  EXPECT_EQ(router_.routes()[1].method, verb::post);
  EXPECT_EQ(router_.routes()[1].render_failure, &native_error);
}

}  // namespace
}  // namespace dsb::server
