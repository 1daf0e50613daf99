// Lead numbers parsed on several threads (control/campaign/number_batch.h) give exactly what
// one thread gives: the same leads, numbers, rejected rows and their order.
#include <gtest/gtest.h>

#include "control/campaign/lead_csv.h"
#include "control/campaign/number_batch.h"

using namespace hark;

namespace {

TEST(NumberBatch, ManyThreadsParseAsOneDoes) {
  std::vector<std::string> raws;
  for (int i = 0; i < 5000; ++i)
    raws.push_back(i % 7 == 0 ? std::string("call me") : i % 11 == 0 ? std::string("+44 161") : "+1201" + std::to_string(2000000 + i));
  const auto one = control::parse_numbers(raws, "US", 4, 1);
  const auto four = control::parse_numbers(raws, "US", 4, 4);
  ASSERT_EQ(one.size(), raws.size());
  ASSERT_EQ(four.size(), raws.size());
  for (size_t i = 0; i < raws.size(); ++i) {
    EXPECT_EQ(four[i].number, one[i].number) << i;
    EXPECT_EQ(four[i].problem, one[i].problem) << i;
    EXPECT_EQ(one[i].number, signaling::parse_number(raws[i], "US", 4).number) << i;
  }
  EXPECT_EQ(one[1].number, "+12012000001");
  EXPECT_EQ(one[0].problem, signaling::NumberProblem::not_a_number);
  EXPECT_EQ(one[11].problem, signaling::NumberProblem::too_short);
  EXPECT_TRUE(control::parse_numbers({}, "US", 4, 4).empty());
}

TEST(NumberBatch, AThreadedImportReportsRowsInFileOrder) {
  std::string csv = "name,phone,tel2,external_id\n";
  for (int i = 0; i < 3000; ++i) {
    // Appended piece by piece: GCC 12 -O3 warns (-Wrestrict, a false positive) on "L" + string.
    csv += 'L';
    csv += std::to_string(i);
    csv += i % 5 == 0 ? std::string(",bad") : ",+1201" + std::to_string(2000000 + i);
    csv += ",+12012999999,";
    csv += i % 9 == 0 ? std::string("dup") : 'e' + std::to_string(i);  // repeats: all but the first refused
    csv += '\n';
  }
  control::LeadCsvOptions single, threaded;
  single.parse_threads = 1, threaded.parse_threads = 4;
  const auto a = control::parse_lead_csv(csv, single);
  control::LeadCsvReader reader(csv, threaded);
  control::LeadCsvResult b;
  while (reader.next(b, 700)) {
  }
  ASSERT_EQ(a.leads.size(), b.leads.size());
  for (size_t i = 0; i < a.leads.size(); ++i) {
    EXPECT_EQ(a.leads[i].line, b.leads[i].line);
    EXPECT_EQ(a.leads[i].phone, b.leads[i].phone);
    EXPECT_EQ(a.leads[i].extra_phones, b.leads[i].extra_phones);
  }
  ASSERT_EQ(a.errors.size(), b.errors.size());
  for (size_t i = 0; i < a.errors.size(); ++i) {
    EXPECT_EQ(a.errors[i].line, b.errors[i].line);
    EXPECT_EQ(a.errors[i].reason, b.errors[i].reason);
  }
  EXPECT_EQ(a.errors_by_reason, b.errors_by_reason);
  // Row 0 (line 2) has a bad phone; row 9 (line 11) is the first valid "dup"; row 18 repeats it.
  EXPECT_EQ(a.errors.at(0).line, 2);
  EXPECT_EQ(a.errors_by_reason.at("duplicate_external_id"), 3000u / 9 - 3000u / 45 - 1);
  EXPECT_EQ(a.leads.at(0).extra_phones, std::vector<std::string>{"+12012999999"});
}

}  // namespace
