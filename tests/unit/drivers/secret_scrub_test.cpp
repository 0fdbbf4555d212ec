// Secrets never survive in a driver's message.
#include "drivers/secret_scrub.hpp"

#include <gtest/gtest.h>

namespace dsb::drivers {
namespace {

TEST(SecretScrub, ReplacesEverySecretAndTrims) {
  EXPECT_EQ(scrub_secrets("  user hunter2 said hunter2\n", {"hunter2", ""}), "user *** said ***");
  EXPECT_EQ(scrub_secrets("aaaa", {"a"}), "************");
  EXPECT_EQ(scrub_secrets("nothing", {}), "nothing");
  EXPECT_EQ(scrub_secrets(" \n ", {"x"}), "");
}

TEST(SecretScrub, ScrubsAQuotedMysqlUser) {
  EXPECT_EQ(scrub_secrets("Access denied for user 's3cret'@'h' ", {"s3cret"}),
            "Access denied for user '***'@'h'");
}

}  // namespace
}  // namespace dsb::drivers
