// Numbers through libphonenumber (signaling/phone_number.h): national, international and
// formatted forms become one E.164 number; extensions stay as written; bad ones say why.
#include "signaling/phone_number.h"

#include <gtest/gtest.h>

using namespace hark::signaling;

namespace {

std::string e164(std::string_view raw, std::string_view region) {
  const auto p = parse_number(raw, region, 4);
  return p.ok() ? p.number : "problem:" + std::string(problem_key(p.problem));
}

TEST(PhoneNumber, TheIssuesThreeFormsAreOneNumber) {
  EXPECT_EQ(e164("+44 161 552 7789", "GB"), "+441615527789");
  EXPECT_EQ(e164("01615527789", "GB"), "+441615527789");
  EXPECT_EQ(e164("441615527789", "GB"), "+441615527789");
  // From another region: the international forms still are; the national one is not a US number.
  EXPECT_EQ(e164("+44 161 552 7789", "US"), "+441615527789");
  EXPECT_EQ(e164("441615527789", "US"), "+441615527789");
  EXPECT_EQ(e164("011 44 161 552 7789", "US"), "+441615527789");
  EXPECT_EQ(e164("00 44 161 552 7789", "GB"), "+441615527789");
  EXPECT_EQ(e164("01615527789", "US"), "problem:too_long");
}

TEST(PhoneNumber, ANumberIsKeptAsTheReadingThatReadsAgainToItself) {
  // libphonenumber strips one national prefix per reading: "0 2" then, read again, Mexico's
  // retired mobile "1". Every form gives the second reading, which reads again to itself.
  EXPECT_EQ(e164("520212412009501", "AL"), "+522412009501");  // the number fuzzer's input
  EXPECT_EQ(e164("01 1 241 200 9501", "MX"), "+522412009501");
  EXPECT_EQ(e164("+52 1 241 200 9501", "US"), "+522412009501");
  EXPECT_EQ(e164("+522412009501", "US"), "+522412009501");
  // A reading whose second reading is no valid number is refused: BY's "8 810 ..." reads as
  // +3758101234567, which read again loses its "8" (+375101234567, invalid).
  EXPECT_EQ(e164("8 810 123 4567", "BY"), "problem:invalid_number");
  EXPECT_EQ(e164("0810-123-4567", "BY"), "problem:invalid_number");
  EXPECT_EQ(e164("8 029 123 4567", "BY"), "+375291234567");
}

TEST(PhoneNumber, NationalAndFormattedForms) {
  EXPECT_EQ(e164("(201) 555-0123", "US"), "+12015550123");
  EXPECT_EQ(e164("1 201 555 0123", "US"), "+12015550123");
  EXPECT_EQ(e164("201.555.0123", "us"), "+12015550123");  // region case does not matter
  EXPECT_EQ(e164("0161 552 7789 ext. 12", "GB"), "+441615527789");  // the extension part is dropped
  // International without '+' (the reference dialer's form), read from another region.
  EXPECT_EQ(e164("554133015031", "US"), "+554133015031");
  EXPECT_EQ(e164("(41) 3301-5031", "BR"), "+554133015031");
  // The product brief's own example is an 8-digit Brazilian mobile number of the old plan
  // (mobiles have had a leading 9 since 2016): libphonenumber's metadata refuses it.
  EXPECT_EQ(e164("554183015031", "BR"), "problem:invalid_number");
  EXPECT_EQ(e164("5541983015031", "US"), "+5541983015031");
}

TEST(PhoneNumber, ExtensionsAreKeptAsWritten) {
  const auto ext = parse_number("2001", "GB", 4);
  ASSERT_TRUE(ext.ok());
  EXPECT_TRUE(ext.extension);
  EXPECT_EQ(ext.number, "2001");
  EXPECT_EQ(parse_number("20-01", "GB", 4).number, "2001");
  // Longer than the internal length: a number, and a short one is not valid.
  EXPECT_FALSE(parse_number("20015", "GB", 4).ok());
  // A private 7-digit plan (the demo's carrier): extensions when the campaign says so.
  EXPECT_EQ(parse_number("1000001", "US", 7).number, "1000001");
  // A '+' is never an extension.
  EXPECT_FALSE(parse_number("+2001", "GB", 4).extension);
}

TEST(PhoneNumber, ProblemsAreNamed) {
  auto problem = [](std::string_view raw, std::string_view region) { return parse_number(raw, region, 4).problem; };
  EXPECT_EQ(problem("", "GB"), NumberProblem::empty);
  EXPECT_EQ(problem("   ", "GB"), NumberProblem::empty);
  EXPECT_EQ(problem("call me", "GB"), NumberProblem::not_a_number);
  EXPECT_EQ(problem("+999 1234 5678", "GB"), NumberProblem::bad_country_code);
  EXPECT_EQ(problem("+44 161", "GB"), NumberProblem::too_short);
  EXPECT_EQ(problem("0161 55", "GB"), NumberProblem::local_only);
  EXPECT_EQ(problem("0161 552 7789 1234 5678", "GB"), NumberProblem::too_long);
  EXPECT_EQ(problem("555 0100", "US"), NumberProblem::local_only);  // no area code
  EXPECT_EQ(problem("(555) 123-4567", "US"), NumberProblem::invalid);  // 555 is no area code
  EXPECT_EQ(problem("01615527789", "XX"), NumberProblem::unknown_region);
  EXPECT_EQ(problem_text(NumberProblem::too_short, "gb"), "is too short for GB");
  EXPECT_EQ(problem_key(NumberProblem::local_only), "local_only");
}

TEST(PhoneNumber, Regions) {
  EXPECT_TRUE(known_region("GB"));
  EXPECT_TRUE(known_region("br"));
  EXPECT_FALSE(known_region("XX"));
  EXPECT_FALSE(known_region("GBR"));
  EXPECT_FALSE(known_region(""));
  EXPECT_EQ(region_code("gb"), "GB");
}

TEST(PhoneNumber, FormatForARegion) {
  EXPECT_EQ(format_for_region("+441615527789", "GB"), "01615527789");
  EXPECT_EQ(format_for_region("+441615527789", "US"), "011441615527789");
  EXPECT_EQ(format_for_region("+12015550123", "US"), "12015550123");
  EXPECT_EQ(format_for_region("+441615527789", "XX"), "+441615527789");  // unknown region: unchanged
}

}  // namespace
