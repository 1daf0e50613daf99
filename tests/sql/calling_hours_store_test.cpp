// Calling hours on a real PostgreSQL (DATABASE_URL), issue 18 part 4: a lead outside its window
// in its own time zone(s) is not claimed while one inside is; the all-zones rule; the summary of
// waiting leads; zones filled in for leads without; and PostgreSQL's rule agreeing with the C++
// one (control/campaign/calling_window.h). Windows are set relative to the database's clock, so
// the tests hold at any hour.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "control/campaign/calling_hours.h"
#include "control/campaign/calling_window.h"
#include "signaling/number_time_zones.h"
#include "sql/calling_hours_store.h"
#include "sql/campaign_store.h"
#include "sql/db_pool.h"
#include "test_db.h"

using namespace hark;

namespace {

long long make_campaign(test::TestDb& db, const std::string& name) {
  db.exec("INSERT INTO dialer_groups (name) VALUES ('g-" + name + "')");
  return db.exec("INSERT INTO campaigns (name, group_id, start_date, end_date, start_time, end_time, pilot_number)"
                 " SELECT '" + name + "', id, current_date - 7, current_date + 7, '00:00', '24:00', '100'"
                 " FROM dialer_groups WHERE name = 'g-" + name + "' RETURNING id")[0][0].as<long long>();
}

/// A lead whose zones are `zones` (a PostgreSQL array literal, or NULL).
long long add_lead(test::TestDb& db, long long campaign, const std::string& phone, const std::string& zones) {
  return db.exec("INSERT INTO leads (campaign_id, phone, time_zones) VALUES (" + std::to_string(campaign) + ", '" + phone +
                 "', " + zones + ") RETURNING id")[0][0].as<long long>();
}

std::string array_literal(const std::vector<std::string>& zones) { return "'" + sql::text_array_literal(zones) + "'"; }

/// Calling hours from an hour before to an hour after the time of day it is now in `zone`
/// (HH:MM; across midnight when now is near it).
void set_window_around_now_in(test::TestDb& db, long long campaign, const std::string& zone) {
  db.exec("UPDATE campaigns SET calling_start = ((now() AT TIME ZONE '" + zone + "') - interval '1 hour')::time(0), "
          "calling_end = ((now() AT TIME ZONE '" + zone + "') + interval '1 hour')::time(0) WHERE id = " +
          std::to_string(campaign));
}

std::vector<std::string> phones(std::vector<sql::ClaimedLead> leads) {
  std::vector<std::string> out;
  for (auto& l : leads) out.push_back(l.phone);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST(CallingHoursDb, ALeadOutsideItsWindowIsNotClaimedWhileOneInsideIs) {
  test::TestDb db("calling_hours_claim");
  const auto c = make_campaign(db, "hours");
  // Zones as an import writes them: from the numbers, through libphonenumber and tzdata.
  const auto& new_york = signaling::number_time_zones("+12125551234");
  const auto& los_angeles = signaling::number_time_zones("+13105551234");
  ASSERT_EQ(new_york, std::vector<std::string>{"America/New_York"});
  ASSERT_EQ(los_angeles, std::vector<std::string>{"America/Los_Angeles"});
  add_lead(db, c, "+12125551234", array_literal(new_york));
  add_lead(db, c, "+13105551234", array_literal(los_angeles));  // three hours behind: outside
  add_lead(db, c, "+12125550000", array_literal({"America/Los_Angeles", "America/New_York"}));  // may be in either: waits
  add_lead(db, c, "1234", "'{}'");  // no zone (an extension): the campaign's zone, UTC here
  set_window_around_now_in(db, c, "America/New_York");
  auto conn = sql::open_prepared(db.url());
  {
    pqxx::work tx(*conn);
    control::prepare_calling_hours(tx, c);  // as at start: the claim tests these zones only
    tx.commit();
  }
  EXPECT_EQ(db.exec("SELECT lead_zones::text FROM campaigns")[0][0].as<std::string>(),
            "{America/Los_Angeles,America/New_York}");

  // The window is open in New York now, and in UTC only when New York's offset is within an hour
  // of it (never): the extension waits too.
  const std::vector<std::string> inside{"+12125551234"};
  EXPECT_EQ(phones(sql::due_leads(*conn, c, 10)), inside);  // the do-not-call peek agrees
  {
    pqxx::work tx(*conn);
    EXPECT_EQ(phones(sql::claim_leads(tx, c, 10)), inside);
    EXPECT_TRUE(sql::claim_leads(tx, c, 10).empty());
  }
  {
    pqxx::read_transaction tx(*conn);
    const auto w = control::window_summary(tx, c);
    EXPECT_EQ(w.waiting, 3);
    // The first to open is Los Angeles's window (in three hours, give or take the rounding to
    // the minute), the extension's (UTC) may come sooner or later: within a day in any case.
    ASSERT_TRUE(w.next_open_s.has_value());
    const auto now = db.exec("SELECT extract(epoch FROM now())::bigint")[0][0].as<long long>();
    EXPECT_GT(*w.next_open_s, now);
    EXPECT_LE(*w.next_open_s, now + 24 * 3600);
  }

  // The same window around Los Angeles's time: the Los Angeles lead only (the lead that may be
  // in either zone still waits: the window must hold in both).
  set_window_around_now_in(db, c, "America/Los_Angeles");
  pqxx::work tx(*conn);
  EXPECT_EQ(phones(sql::claim_leads(tx, c, 10)), std::vector<std::string>{"+13105551234"});
}

TEST(CallingHoursDb, ClaimingChosenLeadsKeepsTheWindow) {
  // The do-not-call path claims leads by id after asking the service: a lead whose window closed
  // in between is not claimed. (The campaign's zones are not recorded here: every zone
  // PostgreSQL knows is tested.)
  test::TestDb db("calling_hours_ids");
  const auto c = make_campaign(db, "ids");
  const auto in = add_lead(db, c, "+442079460000", "'{Europe/London}'");
  const auto out = add_lead(db, c, "+81312345678", "'{Asia/Tokyo}'");
  set_window_around_now_in(db, c, "Europe/London");
  auto conn = sql::open_prepared(db.url());
  pqxx::work tx(*conn);
  // Tokyo is 8 or 9 hours ahead of London: outside a two-hour window around London's time.
  EXPECT_EQ(phones(sql::claim_lead_ids(tx, c, {in, out})), std::vector<std::string>{"+442079460000"});
}

TEST(CallingHoursDb, WithoutCallingHoursEveryDueLeadIsClaimed) {
  test::TestDb db("calling_hours_off");
  const auto c = make_campaign(db, "off");
  add_lead(db, c, "+442079460000", "'{Europe/London}'");
  add_lead(db, c, "+81312345678", "'{Asia/Tokyo}'");
  add_lead(db, c, "+13105551234", "NULL");
  auto conn = sql::open_prepared(db.url());
  {
    pqxx::read_transaction tx(*conn);
    EXPECT_EQ(control::window_summary(tx, c).waiting, 0);
  }
  pqxx::work tx(*conn);
  EXPECT_EQ(sql::claim_leads(tx, c, 10).size(), 3u);
}

TEST(CallingHoursDb, LeadsWithoutZonesGetThemFromTheirNumbers) {
  test::TestDb db("calling_hours_fill");
  const auto c = make_campaign(db, "fill");
  db.exec("INSERT INTO leads (campaign_id, phone, extra_phones) VALUES (" + std::to_string(c) +
          ", '+12125551234', '{+13105551234}')");
  add_lead(db, c, "+442079460000", "NULL");
  add_lead(db, c, "+81312345678", "'{Asia/Tokyo}'");  // already known: left alone
  add_lead(db, c, "1234", "NULL");
  auto conn = sql::open_prepared(db.url());
  pqxx::work tx(*conn);
  EXPECT_EQ(control::prepare_calling_hours(tx, c), 3);
  EXPECT_EQ(control::prepare_calling_hours(tx, c), 0);
  tx.commit();
  const auto zones = [&](const std::string& phone) {
    return db.exec("SELECT time_zones::text FROM leads WHERE phone = '" + phone + "'")[0][0].as<std::string>();
  };
  EXPECT_EQ(zones("+12125551234"), "{America/Los_Angeles,America/New_York}");  // both numbers
  EXPECT_EQ(zones("+442079460000"), "{Europe/London}");
  EXPECT_EQ(zones("1234"), "{}");
}

TEST(CallingHoursDb, PostgresqlAndTheCxxRuleAgree) {
  // hark_calling_window_open (the claim) against check_window (the summary, the reference), every
  // 15 minutes over a day, at the edges, for a single zone, two zones and across midnight.
  test::TestDb db("calling_hours_agree");
  pqxx::connection conn(db.url());
  pqxx::work tx(conn);
  struct Case {
    const char* zones;
    std::vector<int> offsets_s;  // in June 2026
    const char *start, *end;
  };
  const Case cases[] = {
      {"{America/New_York}", {-4 * 3600}, "08:00", "21:00"},
      {"{America/New_York,America/Los_Angeles}", {-4 * 3600, -7 * 3600}, "08:00", "21:00"},
      {"{Asia/Tokyo}", {9 * 3600}, "22:00", "06:00"},
      {"{Australia/Adelaide,Australia/Perth}", {9 * 3600 + 1800, 8 * 3600}, "09:00", "17:30"},
  };
  const long long day0 = tx.exec1("SELECT extract(epoch FROM timestamptz '2026-06-01 00:00:00+00')::bigint")[0].as<long long>();
  int compared = 0, open = 0;
  for (const auto& k : cases) {
    const control::CallingHours h{control::time_of_day_s(k.start), control::time_of_day_s(k.end)};
    for (long long t = day0; t < day0 + 86400; t += 900) {
      for (long long at : {t, t - 1}) {  // on a quarter hour (the edges are on quarter hours) and just before
        const bool pg = tx.exec_params1("SELECT hark_calling_window_open($1::text[], 'UTC', $2::time, $3::time, to_timestamp($4))",
                                        k.zones, k.start, k.end, at)[0]
                            .as<bool>();
        const bool cxx = control::check_window(h, k.offsets_s, at).open;
        EXPECT_EQ(pg, cxx) << k.zones << " " << k.start << "-" << k.end << " at " << at - day0 << " s";
        ++compared, open += pg;
      }
    }
  }
  EXPECT_EQ(compared, 4 * 96 * 2);
  EXPECT_GT(open, 0);
  EXPECT_LT(open, compared);
  // No zones: the fallback zone; no window: open.
  EXPECT_TRUE(tx.exec1("SELECT hark_calling_window_open('{}', 'UTC', '08:00', '09:00', timestamptz '2026-06-01 08:30+00')")[0].as<bool>());
  EXPECT_FALSE(tx.exec1("SELECT hark_calling_window_open(NULL, 'Asia/Tokyo', '08:00', '09:00', timestamptz '2026-06-01 08:30+00')")[0].as<bool>());
  EXPECT_TRUE(tx.exec1("SELECT hark_calling_window_open('{Asia/Tokyo}', 'UTC', NULL, NULL, now())")[0].as<bool>());
}
