#include "signaling/number_plan.h"

#include <gtest/gtest.h>

using namespace hark::signaling;

TEST(NumberPlan, NanpDefaults) {
  NumberPlan p;  // country 1, international 011, national 1, 4-digit extensions
  p.area_code = "312";
  EXPECT_EQ(normalize_number("(555) 123-4567", p).number, "+15551234567");
  EXPECT_EQ(normalize_number("1 555 123 4567", p).number, "+15551234567");
  EXPECT_EQ(normalize_number("123-4567", p).number, "+13121234567");
  EXPECT_EQ(normalize_number("011 44 161 552 7789", p).number, "+441615527789");
  EXPECT_EQ(normalize_number("+44 (161) 5527789", p).number, "+441615527789");
  auto ext = normalize_number("2001", p);
  EXPECT_TRUE(ext.internal);
  EXPECT_EQ(ext.number, "2001");
}

TEST(NumberPlan, OutsideLinePrefixAndOtherCountries) {
  // Designated initialisers, not member-by-member assignment of literals: the latter trips GCC
  // 12's -Wrestrict/-Wmaybe-uninitialized false positives (GCC bug 105329) at -O3.
  const NumberPlan br{.outside_line_prefix = "9", .country_code = "55", .area_code = "41",
                      .international_prefix = "00", .national_prefix = "0", .local_length = 8};
  EXPECT_EQ(normalize_number("554183015031", br).number, "+554183015031");
  EXPECT_EQ(normalize_number("9 0 41 8301 5031", br).number, "+554183015031");
  EXPECT_EQ(normalize_number("8301-5031", br).number, "+554183015031");
  EXPECT_EQ(normalize_number("00 1 555 123 4567", br).number, "+15551234567");
}

TEST(NumberPlan, GarbageIsAnError) {
  NumberPlan p;
  EXPECT_FALSE(normalize_number("", p).ok());
  EXPECT_FALSE(normalize_number("call me", p).ok());
  EXPECT_FALSE(normalize_number("123456789012345678901234", p).ok());
}
