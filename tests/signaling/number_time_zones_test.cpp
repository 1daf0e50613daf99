// A number's time zones (issue 18 part 4): libphonenumber's region and geocoder location,
// tzdata's zone1970.tab, and the all-zones rule where the location does not settle it.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "signaling/number_time_zones.h"

using namespace hark::signaling;

namespace {
using Zones = std::vector<std::string>;

bool has(const Zones& zones, const std::string& z) { return std::find(zones.begin(), zones.end(), z) != zones.end(); }
}  // namespace

TEST(NumberTimeZones, TheZoneTableIsTzdatas) {
  std::ifstream in(zone_table_path());
  ASSERT_TRUE(in) << zone_table_path() << " (install tzdata)";
  EXPECT_EQ(region_time_zones("GB"), Zones{"Europe/London"});
  EXPECT_EQ(region_time_zones("JP"), Zones{"Asia/Tokyo"});
  EXPECT_GT(region_time_zones("US").size(), 20u);
  EXPECT_TRUE(region_time_zones("XX").empty());
}

TEST(NumberTimeZones, SingleZoneCountriesGiveTheirZone) {
  EXPECT_EQ(number_time_zones("+442079460000"), Zones{"Europe/London"});  // London landline
  EXPECT_EQ(number_time_zones("+447700900123"), Zones{"Europe/London"});  // a mobile: no location, one zone anyway
  EXPECT_EQ(number_time_zones("+81312345678"), Zones{"Asia/Tokyo"});
  // Germany: zone1970.tab lists Büsingen (Europe/Zurich) beside Europe/Berlin. A Berlin number is
  // Berlin; a mobile has no location, so it must hold in both (they keep the same clock).
  EXPECT_EQ(number_time_zones("+493012345678"), Zones{"Europe/Berlin"});
  EXPECT_EQ(number_time_zones("+4915112345678"), (Zones{"Europe/Berlin", "Europe/Zurich"}));
}

TEST(NumberTimeZones, UsNumbersGoByTheirState) {
  EXPECT_EQ(number_time_zones("+12125551234"), Zones{"America/New_York"});     // "New York, NY"
  EXPECT_EQ(number_time_zones("+13105551234"), Zones{"America/Los_Angeles"});  // "California"
  EXPECT_EQ(number_time_zones("+14155551234"), Zones{"America/Los_Angeles"});  // "San Francisco, CA"
  EXPECT_EQ(number_time_zones("+18088881234"), Zones{"Pacific/Honolulu"});
  // A state across two zones: both (El Paso is Mountain, Dallas Central; the geocoder says "Texas").
  EXPECT_EQ(number_time_zones("+19155551234"), (Zones{"America/Chicago", "America/Denver"}));
  // Canada by province.
  EXPECT_EQ(number_time_zones("+12042345678"), Zones{"America/Winnipeg"});  // Manitoba
}

TEST(NumberTimeZones, AustraliaGoesByCityOrElseEveryZone) {
  EXPECT_EQ(number_time_zones("+61298765432"), Zones{"Australia/Sydney"});
  EXPECT_EQ(number_time_zones("+61884123456"), Zones{"Australia/Adelaide"});
  // A mobile, and a suburb that names no zone: every zone of Australia.
  EXPECT_EQ(number_time_zones("+61412345678"), region_time_zones("AU"));
  EXPECT_EQ(number_time_zones("+61398765432"), region_time_zones("AU"));  // "Ringwood"
  EXPECT_TRUE(has(region_time_zones("AU"), "Australia/Perth"));
  EXPECT_TRUE(has(region_time_zones("AU"), "Australia/Lord_Howe"));
}

TEST(NumberTimeZones, UnknownOrUnmappedLocationsGiveEveryZoneOfTheCountry) {
  EXPECT_EQ(location_time_zones("US", "United States"), region_time_zones("US"));
  EXPECT_EQ(location_time_zones("US", "Springfield"), region_time_zones("US"));
  EXPECT_EQ(location_time_zones("US", ""), region_time_zones("US"));
  // A multi-zone country without a state table: a city that names a zone, else all.
  EXPECT_EQ(location_time_zones("MX", "Mexico City, FD"), Zones{"America/Mexico_City"});
  EXPECT_EQ(location_time_zones("RU", "Moscow"), Zones{"Europe/Moscow"});
  EXPECT_EQ(location_time_zones("BR", "Somewhere - XX"), region_time_zones("BR"));
  EXPECT_EQ(location_time_zones("US", "Chicago, IL"), Zones{"America/Chicago"});
  // British Columbia spans zones: a Vancouver number gets them all (the state comes first).
  EXPECT_EQ(location_time_zones("CA", "Vancouver, BC"), (Zones{"America/Dawson_Creek", "America/Edmonton",
                                                               "America/Fort_Nelson", "America/Phoenix", "America/Vancouver"}));
}

TEST(NumberTimeZones, EveryStateTableZoneIsInItsCountrysList) {
  // A zone misspelt in the table would silently drop out: each state must keep every zone it names.
  EXPECT_EQ(location_time_zones("US", "Alaska").size(), 7u);
  EXPECT_EQ(location_time_zones("US", "Indiana").size(), 9u);
  EXPECT_EQ(location_time_zones("US", "Kentucky").size(), 4u);
  EXPECT_EQ(location_time_zones("US", "North Dakota").size(), 5u);
  EXPECT_EQ(location_time_zones("CA", "Nunavut").size(), 5u);
  EXPECT_EQ(location_time_zones("CA", "British Columbia").size(), 5u);
  EXPECT_EQ(location_time_zones("AU", "Western Australia").size(), 3u);
}

TEST(NumberTimeZones, ExtensionsAndNonGeographicNumbersHaveNone) {
  EXPECT_TRUE(number_time_zones("1234").empty());
  EXPECT_TRUE(number_time_zones("").empty());
  EXPECT_TRUE(number_time_zones("+").empty());
  EXPECT_TRUE(number_time_zones("+12x").empty());
  EXPECT_TRUE(number_time_zones("+80012345678").empty());  // international freephone
}

TEST(NumberTimeZones, ALeadsZonesAreTheUnionOfItsNumbers) {
  EXPECT_EQ(numbers_time_zones("+12125551234", {"+13105551234", "+12125550000"}),
            (Zones{"America/Los_Angeles", "America/New_York"}));
  EXPECT_EQ(numbers_time_zones("+442079460000", {}), Zones{"Europe/London"});
}

TEST(NumberTimeZones, TheCacheGivesEachNumberItsOwnPrefixsAnswer) {
  // Same first nine digits after '+': one lookup; a different exchange or area code: its own.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(number_time_zones("+1212555123" + std::to_string(i)), Zones{"America/New_York"});
    EXPECT_EQ(number_time_zones("+1310555123" + std::to_string(i)), Zones{"America/Los_Angeles"});
  }
}
