// The do-not-call CSV parser (control/campaign/dnc_csv.h): numbers in the first column, a
// header line, quotes, CRLF, blank lines, bad rows by line, and a bounded report.
#include <gtest/gtest.h>

#include "control/campaign/dnc_csv.h"
#include "control/campaign/dnc_index.h"

using namespace hark::control;

namespace {

using Numbers = std::vector<std::string>;

TEST(DncCsv, FirstColumnNumbersCleanedWithAHeaderAndBadRowsByLine) {
  const auto r = parse_dnc_csv("number,note\n+1 555 0001,vip\n5550002\nnot a number\n5550002\n");
  EXPECT_TRUE(r.had_header);
  EXPECT_EQ(r.numbers, (Numbers{"+15550001", "5550002", "5550002"}));  // duplicates are the store's job
  ASSERT_EQ(r.packed.size(), 3u);
  EXPECT_EQ(r.packed[0], *pack_number("15550001"));
  EXPECT_EQ(r.packed[1], r.packed[2]);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 4);
  EXPECT_EQ(r.error_count, 1u);
}

TEST(DncCsv, QuotesCrlfAndBlankLines) {
  const auto r = parse_dnc_csv("\"5551234\",x\r\n\r\n   \r\n\"(555) 123-4567\"\r\n5550000");
  EXPECT_FALSE(r.had_header);
  EXPECT_EQ(r.numbers, (Numbers{"5551234", "5551234567", "5550000"}));
  EXPECT_TRUE(r.errors.empty());
}

TEST(DncCsv, OnlyTheFirstLineMayBeAHeaderAndLengthsAreChecked) {
  const auto r = parse_dnc_csv("12\nphone\n1234567890123456789\n123\n");
  EXPECT_FALSE(r.had_header);  // "12" has digits: a short number, not a header
  EXPECT_EQ(r.numbers, (Numbers{"123"}));
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].line, 1);
  EXPECT_EQ(r.errors[1].line, 2);  // a word past the first line is a bad row
  EXPECT_EQ(r.errors[2].line, 3);  // 19 digits
}

TEST(DncCsv, TheReportOfBadRowsIsBoundedButEveryOneIsCounted) {
  std::string text;
  for (size_t i = 0; i < kMaxReportedErrors + 500; ++i) text += "1x,\n";
  text += "5550001\n";
  const auto r = parse_dnc_csv(text);
  EXPECT_EQ(r.errors.size(), kMaxReportedErrors);
  EXPECT_EQ(r.error_count, kMaxReportedErrors + 500);
  EXPECT_EQ(r.numbers, (Numbers{"5550001"}));
}

TEST(DncCsv, EmptyInput) {
  const auto r = parse_dnc_csv("");
  EXPECT_TRUE(r.numbers.empty());
  EXPECT_EQ(r.error_count, 0u);
}

}  // namespace
