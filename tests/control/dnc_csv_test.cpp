// The do-not-call CSV parser (control/campaign/dnc_csv.h): numbers in the first column, a
// header line, quotes, CRLF, blank lines, bad rows by line, and a bounded report; numbers as
// E.164 under the list's region.
#include <gtest/gtest.h>

#include "control/campaign/dnc_csv.h"
#include "control/campaign/dnc_index.h"

using namespace hark::control;

namespace {

using Numbers = std::vector<std::string>;

TEST(DncCsv, FirstColumnNumbersAsE164WithAHeaderAndBadRowsByLine) {
  const auto r = parse_dnc_csv("number,note\n+1 201 555 0001,vip\n2015550002\nnot a number\n(201) 555-0002\n");
  EXPECT_TRUE(r.had_header);
  EXPECT_EQ(r.numbers, (Numbers{"+12015550001", "+12015550002", "+12015550002"}));  // duplicates are the store's job
  EXPECT_EQ(r.raw, (Numbers{"+1 201 555 0001", "2015550002", "(201) 555-0002"}));
  ASSERT_EQ(r.packed.size(), 3u);
  EXPECT_EQ(r.packed[0], *pack_number("12015550001"));
  EXPECT_EQ(r.packed[1], r.packed[2]);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 4);
  EXPECT_EQ(r.errors[0].reason, "'not a number' is not a phone number");
  EXPECT_EQ(r.error_count, 1u);
  EXPECT_EQ(r.errors_by_reason.at("not_a_number"), 1u);
}

TEST(DncCsv, QuotesCrlfAndBlankLines) {
  const auto r = parse_dnc_csv("\"2015551234\",x\r\n\r\n   \r\n\"(201) 555-4567\"\r\n2015550000");
  EXPECT_FALSE(r.had_header);
  EXPECT_EQ(r.numbers, (Numbers{"+12015551234", "+12015554567", "+12015550000"}));
  EXPECT_TRUE(r.errors.empty());
}

TEST(DncCsv, OnlyTheFirstLineMayBeAHeaderAndNumbersAreChecked) {
  const auto r = parse_dnc_csv("12\nphone\n1234567890123456789\n+44 161 552 7789\n");
  EXPECT_FALSE(r.had_header);  // "12" has digits: a short number, not a header
  EXPECT_EQ(r.numbers, (Numbers{"+441615527789"}));
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].line, 1);
  EXPECT_EQ(r.errors[1].line, 2);  // a word past the first line is a bad row
  EXPECT_EQ(r.errors[2].line, 3);  // 19 digits
  EXPECT_EQ(r.errors[2].reason, "'1234567890123456789' is too long for US");
}

// The three forms are one entry of a GB list.
TEST(DncCsv, OneNumberInThreeFormsUnderTheListsRegion) {
  const auto r = parse_dnc_csv("+44 161 552 7789\n01615527789\n441615527789\n", "GB");
  EXPECT_EQ(r.numbers, (Numbers{"+441615527789", "+441615527789", "+441615527789"}));
  EXPECT_TRUE(r.errors.empty());
}

// A list of a private plan: its internal length makes short numbers extensions.
TEST(DncCsv, ExtensionsUnderTheListsInternalLength) {
  const auto r = parse_dnc_csv("1000001\n12\n", "US", 7);
  EXPECT_EQ(r.numbers, (Numbers{"1000001"}));
  ASSERT_EQ(r.errors.size(), 1u);  // 2 digits: too short for the index
  EXPECT_EQ(r.errors[0].line, 2);
}

TEST(DncCsv, TheReportOfBadRowsIsBoundedButEveryOneIsCounted) {
  std::string text;
  for (size_t i = 0; i < kMaxReportedErrors + 500; ++i) text += "1x,\n";
  text += "2015550001\n";
  const auto r = parse_dnc_csv(text);
  EXPECT_EQ(r.errors.size(), kMaxReportedErrors);
  EXPECT_EQ(r.error_count, kMaxReportedErrors + 500);
  EXPECT_EQ(r.numbers, (Numbers{"+12015550001"}));
}

TEST(DncCsv, EmptyInput) {
  const auto r = parse_dnc_csv("");
  EXPECT_TRUE(r.numbers.empty());
  EXPECT_EQ(r.error_count, 0u);
}

}  // namespace
