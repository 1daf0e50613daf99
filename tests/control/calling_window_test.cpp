// The calling-hours window check (issue 18 part 4): edges, windows across midnight, and the
// all-zones rule with the next opening; the campaign setting callingHours.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <vector>

#include "control/campaign/calling_window.h"
#include "control/campaign/campaign_settings.h"
#include "control/campaign/json_fields.h"

using namespace hark::control;

namespace {
constexpr std::int64_t kDay0 = 20000LL * 86400;  // some UTC midnight
constexpr int kHour = 3600;
std::int64_t at(int h, int m = 0, int s = 0) { return kDay0 + h * kHour + m * 60 + s; }
const CallingHours kDaytime{time_of_day_s("08:00"), time_of_day_s("21:00")};
}  // namespace

TEST(CallingWindow, ReadsTimesOfDay) {
  EXPECT_EQ(time_of_day_s("08:00"), 8 * kHour);
  EXPECT_EQ(time_of_day_s("21:30:15"), 21 * kHour + 30 * 60 + 15);
  EXPECT_EQ(time_of_day_s("00:00"), 0);
  EXPECT_EQ(time_of_day_s("24:00"), -1);
  EXPECT_EQ(time_of_day_s("8:00"), -1);
  EXPECT_EQ(time_of_day_s("08:60"), -1);
  EXPECT_EQ(time_of_day_s("08-00"), -1);
  EXPECT_EQ(time_of_day_s(""), -1);
}

TEST(CallingWindow, StartIsInsideAndEndIsOutside) {
  const std::vector<int> utc{0};
  EXPECT_FALSE(check_window(kDaytime, utc, at(7, 59, 59)).open);
  EXPECT_EQ(check_window(kDaytime, utc, at(7, 59, 59)).next_s, at(8));
  EXPECT_TRUE(check_window(kDaytime, utc, at(8)).open);
  EXPECT_EQ(check_window(kDaytime, utc, at(8)).next_s, at(8));
  EXPECT_TRUE(check_window(kDaytime, utc, at(20, 59, 59)).open);
  EXPECT_FALSE(check_window(kDaytime, utc, at(21)).open);
  EXPECT_EQ(check_window(kDaytime, utc, at(21)).next_s, at(8) + 86400);  // tomorrow morning
}

TEST(CallingWindow, TheOffsetIsTheZonesLocalTime) {
  const std::vector<int> new_york{-5 * kHour};
  EXPECT_FALSE(check_window(kDaytime, new_york, at(12, 59)).open);  // 07:59 in New York
  EXPECT_TRUE(check_window(kDaytime, new_york, at(13)).open);
  EXPECT_TRUE(check_window(kDaytime, new_york, at(1, 59) + 86400).open);  // 20:59 there
  EXPECT_FALSE(check_window(kDaytime, new_york, at(2) + 86400).open);
  const std::vector<int> tokyo{9 * kHour};
  EXPECT_TRUE(check_window(kDaytime, tokyo, at(23)).open);  // 08:00 tomorrow in Tokyo
  EXPECT_FALSE(check_window(kDaytime, tokyo, at(12)).open);  // 21:00 there
}

TEST(CallingWindow, AWindowAcrossMidnight) {
  const CallingHours night{time_of_day_s("22:00"), time_of_day_s("06:00")};
  const std::vector<int> utc{0};
  EXPECT_TRUE(check_window(night, utc, at(22)).open);
  EXPECT_TRUE(check_window(night, utc, at(0)).open);
  EXPECT_TRUE(check_window(night, utc, at(5, 59, 59)).open);
  EXPECT_FALSE(check_window(night, utc, at(6)).open);
  EXPECT_EQ(check_window(night, utc, at(6)).next_s, at(22));
  EXPECT_FALSE(check_window(night, utc, at(21, 59, 59)).open);
}

TEST(CallingWindow, EveryZoneMustBeInsideItsWindow) {
  // New York and Los Angeles (a number that may be in either): 08:00-21:00 in both is
  // 16:00-02:00 UTC (08:00 in LA to 21:00 in NY).
  const std::vector<int> ny_la{-5 * kHour, -8 * kHour};
  EXPECT_FALSE(check_window(kDaytime, ny_la, at(13)).open);  // 08:00 in NY, 05:00 in LA
  EXPECT_EQ(check_window(kDaytime, ny_la, at(13)).next_s, at(16));
  EXPECT_TRUE(check_window(kDaytime, ny_la, at(16)).open);
  EXPECT_TRUE(check_window(kDaytime, ny_la, at(1, 59) + 86400).open);
  EXPECT_FALSE(check_window(kDaytime, ny_la, at(2) + 86400).open);  // 21:00 in NY
  EXPECT_EQ(check_window(kDaytime, ny_la, at(2) + 86400).next_s, at(16) + 86400);
  // The order of the zones does not matter.
  const std::vector<int> la_ny{-8 * kHour, -5 * kHour};
  EXPECT_EQ(check_window(kDaytime, la_ny, at(13)).next_s, at(16));
}

TEST(CallingWindow, ZonesWithoutACommonWindowNeverOpen) {
  const CallingHours morning{time_of_day_s("08:00"), time_of_day_s("12:00")};
  const std::vector<int> apart{0, 12 * kHour};
  for (int h = 0; h < 24; ++h) {
    const auto c = check_window(morning, apart, at(h));
    EXPECT_FALSE(c.open) << h;
    EXPECT_FALSE(c.next_s.has_value()) << h;
  }
}

TEST(CallingWindow, NoZonesIsOpen) {
  EXPECT_TRUE(check_window(kDaytime, std::vector<int>{}, at(3)).open);
}

// ---- the campaign setting ----

namespace {
boost::json::object campaign_with(boost::json::value calling_hours) {
  return boost::json::object{{"name", "c"},          {"groupId", 1},          {"startDate", "2026-12-01"},
                             {"endDate", "2026-12-31"}, {"startTime", "09:00"}, {"endTime", "17:00"},
                             {"pilotNumber", "2000"},  {"callingHours", calling_hours}};
}
}  // namespace

TEST(CallingHoursSetting, OffByDefaultAndRoundTrips) {
  CampaignSettings s;
  s.apply(campaign_with(nullptr), true);
  EXPECT_FALSE(s.calling_start.has_value());
  EXPECT_TRUE(s.to_json().at("callingHours").is_null());
  s.apply(boost::json::object{{"callingHours", {{"start", "08:00"}, {"end", "21:00"}}}}, false);
  EXPECT_EQ(s.calling_start, "08:00");
  EXPECT_EQ(s.calling_end, "21:00");
  EXPECT_EQ(s.to_json().at("callingHours"), (boost::json::object{{"start", "08:00"}, {"end", "21:00"}}));
  s.apply(boost::json::object{{"callingHours", {{"start", "21:00"}, {"end", "02:00"}}}}, false);  // across midnight
  EXPECT_EQ(s.calling_start, "21:00");
  s.apply(boost::json::object{{"callingHours", nullptr}}, false);
  EXPECT_FALSE(s.calling_end.has_value());
}

TEST(CallingHoursSetting, BadWindowsAreRefused) {
  for (const auto& bad : {boost::json::value("08:00-21:00"), boost::json::value(boost::json::object{{"start", "08:00"}}),
                          boost::json::value(boost::json::object{{"start", "8:00"}, {"end", "21:00"}}),
                          boost::json::value(boost::json::object{{"start", "08:00"}, {"end", "24:00"}}),
                          boost::json::value(boost::json::object{{"start", "08:00"}, {"end", "08:00"}}),
                          boost::json::value(boost::json::object{{"start", "08:00"}, {"end", "21:00"}, {"zone", "UTC"}})}) {
    CampaignSettings s;
    EXPECT_THROW(s.apply(campaign_with(bad), true), ValidationError) << boost::json::serialize(bad);
  }
}
