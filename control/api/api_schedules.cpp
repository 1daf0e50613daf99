// A campaign's schedule: one entry per execution day (NOT_RUNNING, RUNNING, FINISHED,
// DNC_OUT_OF_SERVICE). Hours and days change only while the campaign is stopped.
#include "control/api/campaign_rows.h"

namespace hark::control {

namespace json = boost::json;

namespace {

const auto kAdmin = Access::only({Role::campaign_admin});
const auto kReaders = Access::only({Role::campaign_admin, Role::campaign_supervisor});

/// GET /campaigns/{id}/schedules: every day of the campaign.
HttpResponse list_schedules(ApiServices& s, ApiContext& ctx) {
  return with_campaign(s, ctx, CampaignUse::read, [](CampaignScope& c) {
    return json_response(json::object{{"schedules", schedules_json(c.tx, c.id)}});
  });
}

/// PATCH /campaigns/{id}/schedules: new hours for today's and every later day at once.
HttpResponse set_schedule_hours(ApiServices& s, ApiContext& ctx) {
  auto body = ctx.json();
  reject_unknown(body, {"startTime", "endTime"});
  return with_campaign(s, ctx, CampaignUse::write, [&](CampaignScope& c) {
    auto cs = CampaignSettings::from_row(lock_campaign(c, true));
    cs.apply(body, false);  // checks the times and that the end is after the start
    write_campaign(c.tx, "campaign_update", c.id, cs);
    const auto today = c.tx.exec_prepared1("campaign_today", c.id)[0].as<std::string>();
    const auto changed = c.tx.exec_prepared("schedules_set_hours", c.id, cs.start_time, cs.end_time, today).affected_rows();
    s.audit(c.tx, ctx, "update_hours", "campaign/" + std::to_string(c.id), body);
    return json_response(json::object{{"updated", changed}, {"schedules", schedules_json(c.tx, c.id)}});
  });
}

/// POST /campaigns/{id}/schedules: one more day (at most one per day); the date range grows to it.
HttpResponse add_schedule_day(ApiServices& s, ApiContext& ctx) {
  auto body = ctx.json();
  reject_unknown(body, {"day", "startTime", "endTime"});
  const auto day = *get_string(body, "day", true, 10);
  return with_campaign(s, ctx, CampaignUse::write, [&](CampaignScope& c) {
    auto cs = CampaignSettings::from_row(lock_campaign(c, true));
    json::object hours;
    if (body.contains("startTime")) hours["startTime"] = body["startTime"];
    if (body.contains("endTime")) hours["endTime"] = body["endTime"];
    hours["startDate"] = day;  // checks the date's form
    hours["endDate"] = day;
    CampaignSettings check = cs;
    try {
      check.apply(hours, false);
    } catch (const ValidationError& e) {
      if (e.field == "startDate" || e.field == "endDate") invalid("day", "day must be a date YYYY-MM-DD");
      throw;
    }
    const auto today = c.tx.exec_prepared1("campaign_today", c.id)[0].as<std::string>();
    if (day < today) invalid("day", "day is in the past");
    if (!c.tx.exec_prepared("schedule_on_day", c.id, day).empty())
      fail(409, "conflict", "the campaign already has a schedule on " + day, "day");
    c.tx.exec_prepared0("schedule_add", c.id, day, check.start_time, check.end_time);
    // The campaign's date range grows to take the day in.
    if (day > cs.end_date) cs.end_date = day;
    if (day < cs.start_date) cs.start_date = day;
    write_campaign(c.tx, "campaign_update", c.id, cs);
    s.audit(c.tx, ctx, "add_schedule", "campaign/" + std::to_string(c.id), {{"day", day}});
    return json_response(json::object{{"schedules", schedules_json(c.tx, c.id)}}, 201);
  });
}

}  // namespace

void add_schedule_routes(Router& r, ApiServices& s) {
  add_routes(r, s, {
      {"GET", "/api/v1/campaigns/{id}/schedules", "list schedules", kReaders, "", list_schedules},
      {"PATCH", "/api/v1/campaigns/{id}/schedules", "change the hours of every remaining day (while stopped)", kAdmin,
       "json", set_schedule_hours},
      {"POST", "/api/v1/campaigns/{id}/schedules", "add a schedule day (while stopped)", kAdmin, "json",
       add_schedule_day},
  });
}

}  // namespace hark::control
