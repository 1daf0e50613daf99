// The trunk's number plan at dial time (signaling/number_plan.h): extensions as they are, other
// numbers with the outside-line prefix, in the trunk's region format when it has one.
#include "signaling/number_plan.h"

#include <gtest/gtest.h>

using namespace hark::signaling;

TEST(NumberPlan, DefaultsSendE164AndExtensionsAsTheyAre) {
  const NumberPlan p;  // no outside line, 4-digit extensions, no region
  EXPECT_EQ(dial_string("+441615527789", p), "+441615527789");
  EXPECT_EQ(dial_string("2001", p), "2001");
}

TEST(NumberPlan, OutsideLinePrefixOnlyForNumbersLongerThanAnExtension) {
  const NumberPlan p{.outside_line_prefix = "9", .internal_length = 4, .region = ""};
  EXPECT_EQ(dial_string("+441615527789", p), "9+441615527789");
  EXPECT_EQ(dial_string("2001", p), "2001");
  EXPECT_EQ(dial_string("123", p), "123");
  // A lead stored before numbers were parsed (digits, no '+'): out as it is, with the prefix.
  EXPECT_EQ(dial_string("5550100", p), "95550100");
  const NumberPlan pbx7{.outside_line_prefix = "0", .internal_length = 7, .region = ""};
  EXPECT_EQ(dial_string("1000001", pbx7), "1000001");
}

TEST(NumberPlan, ARegionDialsTheNationalOrInternationalForm) {
  const NumberPlan gb{.outside_line_prefix = "9", .internal_length = 4, .region = "GB"};
  EXPECT_EQ(dial_string("+441615527789", gb), "901615527789");
  EXPECT_EQ(dial_string("+12015550123", gb), "90012015550123");
  EXPECT_EQ(dial_string("2001", gb), "2001");
  const NumberPlan us{.outside_line_prefix = "", .internal_length = 4, .region = "US"};
  EXPECT_EQ(dial_string("+441615527789", us), "011441615527789");
}
