#include "cli/config.h"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace hark::control;

TEST(Config, EnvironmentOverridesDefaults) {
  ::setenv("DATABASE_URL", "postgresql://hark:s3cret@db.example/hark", 1);
  ::setenv("HARK_RTP_PORTS", "30000-30999", 1);
  ::setenv("HARK_MEDIA_WORKERS", "3", 1);
  std::vector<std::string> errors;
  const auto c = Config::from_env(&errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(c.rtp_port_min, 30000);
  EXPECT_EQ(c.rtp_port_max, 30999);
  EXPECT_EQ(c.media_workers, 3);
  bool masked = false;
  for (const auto& l : c.describe()) {
    EXPECT_EQ(l.find("s3cret"), std::string::npos) << l;
    masked |= l.find("hark:***@db.example") != std::string::npos;
  }
  EXPECT_TRUE(masked);
  ::unsetenv("DATABASE_URL");
  ::unsetenv("HARK_RTP_PORTS");
  ::unsetenv("HARK_MEDIA_WORKERS");
}

TEST(Config, BadValuesAreReported) {
  ::setenv("HARK_RTP_PORTS", "9000", 1);
  ::setenv("HARK_MEDIA_WORKERS", "many", 1);
  std::vector<std::string> errors;
  Config::from_env(&errors);
  EXPECT_EQ(errors.size(), 2u);
  ::unsetenv("HARK_RTP_PORTS");
  ::unsetenv("HARK_MEDIA_WORKERS");
}

TEST(Config, MasksKeyValuePasswords) {
  EXPECT_EQ(mask_password("host=x password=abc user=y"), "host=x password=*** user=y");
  EXPECT_EQ(mask_password("postgresql:///hark?host=/tmp&password=abc"), "postgresql:///hark?host=/tmp&password=***");
}

TEST(Config, MetricsTokenIsTakenButNeverLogged) {
  ::setenv("HARK_METRICS_TOKEN", "a-long-enough-metrics-token", 1);
  std::vector<std::string> errors;
  auto c = Config::from_env(&errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(c.metrics_token, "a-long-enough-metrics-token");
  for (const auto& l : c.describe()) EXPECT_EQ(l.find("a-long-enough"), std::string::npos) << l;
  for (const char* bad : {"short", "has a space in the middle of it"}) {
    ::setenv("HARK_METRICS_TOKEN", bad, 1);
    errors.clear();
    c = Config::from_env(&errors);
    EXPECT_EQ(errors.size(), 1u) << bad;
    EXPECT_TRUE(c.metrics_token.empty()) << bad;
  }
  ::unsetenv("HARK_METRICS_TOKEN");
}
