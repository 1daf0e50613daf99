// CSV export cells (spreadsheet formula neutralising) and campaign settings validation that
// needs no database.
#include <gtest/gtest.h>

#include "control/api/csv_cell.h"
#include "control/campaign/campaign_settings.h"
#include "control/campaign/json_fields.h"

using namespace hark::control;

TEST(CsvCell, FormulasAreShownNotRun) {
  EXPECT_EQ(csv_cell("=HYPERLINK(\"http://x\",\"click\")"), "\"'=HYPERLINK(\"\"http://x\"\",\"\"click\"\")\"");
  EXPECT_EQ(csv_cell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(csv_cell("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
  EXPECT_EQ(csv_cell("-2+3"), "'-2+3");
  EXPECT_EQ(csv_cell("\tx"), "'\tx");
  // Plain numbers, phone numbers and ordinary text stay as they are.
  EXPECT_EQ(csv_cell("+15551234567"), "+15551234567");
  EXPECT_EQ(csv_cell("-3"), "-3");
  EXPECT_EQ(csv_cell("Busy Here"), "Busy Here");
  EXPECT_EQ(csv_cell("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_cell(""), "");
}

namespace {
/// A valid campaign body with `caller_id`.
boost::json::object with_caller_id(const char* caller_id) {
  return boost::json::object{{"name", "c"},          {"groupId", 1},          {"startDate", "2026-12-01"},
                             {"endDate", "2026-12-31"}, {"startTime", "09:00"}, {"endTime", "17:00"},
                             {"pilotNumber", "2000"},  {"callerId", caller_id}};
}
}  // namespace

TEST(CampaignSettings, CallerIdWithControlCharactersIs422) {
  for (const char* bad : {"555\r\nX-Evil: 1", "5550100\n", "555\r0100", "a\tb", "x\x7f"}) {
    CampaignSettings s;
    try {
      s.apply(with_caller_id(bad), true);
      ADD_FAILURE() << "accepted callerId " << bad;
    } catch (const ValidationError& e) {
      EXPECT_EQ(e.field, "callerId") << bad;
    }
  }
  CampaignSettings s;
  s.apply(with_caller_id("+1555.0100"), true);
  EXPECT_EQ(s.caller_id, "+1555.0100");
}
