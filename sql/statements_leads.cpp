// The named statements of leads (sql/statement_parts.h): lists and edits, the campaign
// runner's claim and finish, recycling, callbacks, inbound look-ups, calling hours. A lead is a
// contact row (lead_contacts) and a dialing-state row (lead_dialing) with the same id
// (0022_lead_dialing_state.sql): statements that change many leads, or the runner's, write the
// table they change; single leads are read and written through the view `leads`.
#include "sql/statement_parts.h"

namespace hark::sql {

namespace {

#define LEAD_COLS                                                                                           \
  "id, name, phone, COALESCE(phone_raw, phone) AS phone_raw, "                                             \
  "array_to_json(extra_phones)::text AS extra_phones, description, external_id, "                           \
  "fields::text AS fields, status, attempts, last_attempt_at, next_attempt_at, done, "                      \
  "phone_index, round, origin_lead_id, disabled, callback_at, callback_agent, "                             \
  "array_to_json(time_zones)::text AS time_zones"

// LEAD_COLS of leads `l`.
#define LEAD_COLS_L                                                                                         \
  "l.id, l.name, l.phone, COALESCE(l.phone_raw, l.phone) AS phone_raw, "                                   \
  "array_to_json(l.extra_phones)::text AS extra_phones, l.description, l.external_id, "                     \
  "l.fields::text AS fields, l.status, l.attempts, l.last_attempt_at, l.next_attempt_at, l.done, "          \
  "l.phone_index, l.round, l.origin_lead_id, l.disabled, l.callback_at, l.callback_agent, "                \
  "array_to_json(l.time_zones)::text AS time_zones"

// LEAD_COLS of dialing rows `d` and their contacts `c`: what an UPDATE of lead_dialing returns.
#define LEAD_COLS_DC                                                                                        \
  "d.lead_id AS id, c.name, c.phone, COALESCE(c.phone_raw, c.phone) AS phone_raw, "                         \
  "array_to_json(c.extra_phones)::text AS extra_phones, c.description, c.external_id, "                     \
  "c.fields::text AS fields, d.status, d.attempts, d.last_attempt_at, d.next_attempt_at, d.done, "          \
  "d.phone_index, d.round, c.origin_lead_id, d.disabled, d.callback_at, d.callback_agent, "                \
  "array_to_json(c.time_zones)::text AS time_zones"

// Leads of campaign $1 without a dialing row, which count as new leads in their contact's
// first_round: only while the campaign's rows are pending (0023_copied_leads_dialing_later.sql).
// Every dialing row has its contact, so they are the contacts less the dialing rows (two
// counts; an anti-join of 1,000,000 copies took ~1.3 s). The flag's subquery is evaluated
// first; the counts' subqueries only when it is true (PostgreSQL runs an InitPlan when its
// value is first needed).
#define ROWS_PENDING "(SELECT dialing_rows_pending FROM campaigns WHERE id = $1)"
#define NO_DIALING_ROW_COUNT                                                                                 \
  "(CASE WHEN " ROWS_PENDING " THEN (SELECT count(*) FROM lead_contacts WHERE campaign_id = $1) - "          \
  "(SELECT count(*) FROM lead_dialing WHERE campaign_id = $1) ELSE 0 END)"

const Statement kStatements[] = {
    // ---- leads (single leads through the view `leads`, counts from lead_dialing) ----
    {"lead_external_ids", "SELECT external_id FROM lead_contacts WHERE campaign_id = $1 AND external_id IS NOT NULL"},
    {"lead_phones", "SELECT phone FROM lead_contacts WHERE campaign_id = $1"},
    {"lead_counts",
     "SELECT status, sum(n)::bigint FROM (SELECT status, count(*) AS n FROM lead_dialing WHERE campaign_id = $1 GROUP BY status "
     "UNION ALL SELECT 'NOT_CALLED', " NO_DIALING_ROW_COUNT ") s GROUP BY status HAVING sum(n) > 0"},
    {"leads_pending",
     "SELECT (SELECT count(*) FROM lead_dialing WHERE campaign_id = $1 AND NOT done) + " NO_DIALING_ROW_COUNT},
    {"leads_page",
     "SELECT " LEAD_COLS " FROM leads WHERE campaign_id = $1 AND ($2::text IS NULL OR status = $2) ORDER BY id LIMIT $3 OFFSET $4"},
    {"leads_count",
     "SELECT (SELECT count(*) FROM lead_dialing WHERE campaign_id = $1 AND ($2::text IS NULL OR status = $2)) + "
     "CASE WHEN $2::text IS NULL OR $2 = 'NOT_CALLED' THEN " NO_DIALING_ROW_COUNT " ELSE 0 END"},
    {"lead_get", "SELECT " LEAD_COLS " FROM leads WHERE campaign_id = $1 AND id = $2"},
    {"lead_update",
     "UPDATE leads SET name = COALESCE($3, name), description = COALESCE($4, description), phone = COALESCE($5, phone), "
     "phone_raw = CASE WHEN $5 IS NULL THEN phone_raw WHEN $6 = $5 THEN NULL ELSE $6 END, "
     "time_zones = CASE WHEN $5 IS NULL THEN time_zones END "
     "WHERE campaign_id = $1 AND id = $2 RETURNING " LEAD_COLS},

    // ---- the campaign runner's leads: claim, release, finish (sql/campaign_store.cpp) ----
    // Attempts of silent processes end (UNKNOWN); their leads are due again at once.
    {"runner_recover",
     "WITH dead AS (UPDATE call_attempts a SET state = 'DONE', ended_at = now(), result = 'UNKNOWN', "
     "cause = 'the hark process placing the call stopped', charged = false "
     "WHERE a.state = 'DIALING' AND a.instance_id IS DISTINCT FROM $1 AND NOT EXISTS (SELECT 1 FROM runner_instances r "
     "WHERE r.id = a.instance_id AND r.heartbeat_at > now() - make_interval(secs => $2)) RETURNING a.lead_id) "
     "UPDATE lead_dialing d SET in_progress = false, status = 'UNKNOWN', next_attempt_at = now() FROM dead "
     "WHERE d.lead_id = dead.lead_id RETURNING d.lead_id AS id"},
    // The claim order, in three steps (each an index range; claim_leads runs them in turn):
    // callbacks due, then retries due (oldest due time first: a retry that fell after
    // yesterday's hours is called as soon as today's start), then never-called leads by id.
    // The number dialed is the lead's current one (phone_index: 0 phone, k extra_phones[k]).
    // Each claim picks and locks dialing rows `d` (with their contacts `c`, for the calling
    // hours), then sets them in progress: only the narrow row is rewritten.
#define CLAIMED_COLS                                                                                        \
  "d.lead_id AS id, CASE WHEN d.phone_index BETWEEN 1 AND cardinality(c.extra_phones) "                      \
  "THEN c.extra_phones[d.phone_index] ELSE c.phone END AS phone, d.attempts, d.phone_index, "                \
  "1 + cardinality(c.extra_phones) AS numbers, d.round, "                                                    \
  "CASE WHEN d.callback_at IS NOT NULL THEN d.callback_agent END AS callback_agent"
#define DUE_ROWS "lead_dialing d JOIN lead_contacts c ON c.id = d.lead_id"
#define DUE_LEAD "d.campaign_id = $1 AND NOT d.in_progress AND NOT d.done " IN_CALLING_HOURS
// Sets the chosen dialing rows (SELECT d.lead_id ... FOR UPDATE OF d SKIP LOCKED) in progress.
#define CLAIM(CHOSEN) \
  "UPDATE lead_dialing d SET in_progress = true FROM lead_contacts c WHERE c.id = d.lead_id AND d.lead_id IN (" CHOSEN ") "
// The campaign's calling hours hold in every zone of the lead (0019_calling_hours.sql): leads
// outside their window wait. The campaign's settings and the zones open now are computed once
// per statement (uncorrelated subqueries: InitPlans); each lead costs one array test.
#define CALLING_HOURS_OF_1(EXPR) "(SELECT " EXPR " FROM campaigns WHERE id = $1)"
#define IN_CALLING_HOURS                                                                                         \
  "AND (" CALLING_HOURS_OF_1("calling_start") " IS NULL OR CASE WHEN cardinality(c.time_zones) > 0 THEN "       \
  "c.time_zones <@ " CALLING_HOURS_OF_1("hark_open_zones(calling_start, calling_end, now(), lead_zones)") " ELSE "  \
  CALLING_HOURS_OF_1("hark_window_holds((now() AT TIME ZONE time_zone)::time, calling_start, calling_end)") " END) "
    {"leads_claim_callbacks",
     CLAIM("SELECT d.lead_id FROM " DUE_ROWS " WHERE " DUE_LEAD "AND d.callback_at <= now() "
           "ORDER BY d.callback_at, d.lead_id LIMIT $2 FOR UPDATE OF d SKIP LOCKED") "RETURNING " CLAIMED_COLS},
    {"leads_claim_retries",
     CLAIM("SELECT d.lead_id FROM " DUE_ROWS " WHERE " DUE_LEAD "AND d.next_attempt_at <= now() AND d.callback_at IS NULL "
           "ORDER BY d.next_attempt_at, d.lead_id LIMIT $2 FOR UPDATE OF d SKIP LOCKED") "RETURNING " CLAIMED_COLS},
    {"leads_claim_new",
     CLAIM("SELECT d.lead_id FROM " DUE_ROWS " WHERE " DUE_LEAD "AND d.next_attempt_at IS NULL "
           "ORDER BY d.lead_id LIMIT $2 FOR UPDATE OF d SKIP LOCKED") "RETURNING " CLAIMED_COLS},
    // Due leads looked at without claiming them: the numbers to ask a do-not-call service about
    // before the claim, so the claim's row lock is never held across a slow service. Same order.
    {"leads_due_peek",
     "(SELECT " CLAIMED_COLS ", 0 AS step, d.callback_at AS due FROM " DUE_ROWS " WHERE " DUE_LEAD
     "AND d.callback_at <= now() ORDER BY d.callback_at, d.lead_id LIMIT $2) UNION ALL "
     "(SELECT " CLAIMED_COLS ", 1, d.next_attempt_at FROM " DUE_ROWS " WHERE " DUE_LEAD
     "AND d.next_attempt_at <= now() AND d.callback_at IS NULL ORDER BY d.next_attempt_at, d.lead_id LIMIT $2) UNION ALL "
     "(SELECT " CLAIMED_COLS ", 2, NULL FROM " DUE_ROWS " WHERE " DUE_LEAD "AND d.next_attempt_at IS NULL "
     "ORDER BY d.lead_id LIMIT $2) ORDER BY step, due, id LIMIT $2"},
    {"leads_claim_ids",
     CLAIM("SELECT d.lead_id FROM " DUE_ROWS " WHERE d.campaign_id = $1 AND d.lead_id = ANY($2::bigint[]) "
           "AND NOT d.in_progress AND NOT d.done AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= now()) "
           IN_CALLING_HOURS "ORDER BY d.lead_id FOR UPDATE OF d SKIP LOCKED") "RETURNING " CLAIMED_COLS},
    // Preview (issue 18): the leads agents accepted, with who accepted them.
    {"leads_claim_preview",
     "UPDATE lead_dialing d SET in_progress = true, preview_accepted = false, preview_until = NULL FROM lead_contacts c "
     "WHERE c.id = d.lead_id AND d.lead_id IN (SELECT lead_id FROM lead_dialing WHERE campaign_id = $1 AND preview_accepted "
     "AND NOT in_progress AND NOT done ORDER BY lead_id LIMIT $2 FOR UPDATE SKIP LOCKED) "
     "RETURNING " CLAIMED_COLS ", d.preview_agent"},
    // An agent asks for a lead: one due lead (callbacks, retries, new; as the claim orders them)
    // reserved for it for $3 seconds; the agent's own reserved lead again if it has one.
    {"preview_next",
     "UPDATE leads SET preview_agent = $2, preview_until = now() + make_interval(secs => $3) WHERE id = ("
     "SELECT lead_id FROM lead_dialing WHERE campaign_id = $1 AND NOT in_progress AND NOT done AND NOT disabled "
     "AND NOT preview_accepted AND (next_attempt_at IS NULL OR next_attempt_at <= now()) "
     "AND (preview_until IS NULL OR preview_until < now() OR preview_agent = $2) "
     "ORDER BY (preview_agent = $2 AND preview_until >= now()) IS NOT TRUE, callback_at IS NULL, callback_at, "
     "next_attempt_at IS NULL, next_attempt_at, lead_id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING " LEAD_COLS},
    {"preview_accept",
     "UPDATE lead_dialing SET preview_accepted = true WHERE campaign_id = $1 AND lead_id = $2 AND preview_agent = $3 "
     "AND preview_until >= now() AND NOT in_progress AND NOT done RETURNING lead_id AS id"},
    // Skipped: not offered again for $4 minutes (the campaign's retry time).
    {"preview_skip",
     "UPDATE lead_dialing SET preview_agent = NULL, preview_until = NULL, next_attempt_at = now() + make_interval(mins => $4) "
     "WHERE campaign_id = $1 AND lead_id = $2 AND preview_agent = $3 AND NOT preview_accepted AND NOT in_progress "
     "RETURNING lead_id AS id"},
    {"leads_release", "UPDATE lead_dialing SET in_progress = false WHERE lead_id = ANY($1::bigint[])"},
    {"lead_mark_dnc",
     "UPDATE lead_dialing SET status = 'DNC', done = true, in_progress = false, attempts = attempts + 1, "
     "last_attempt_at = now(), next_attempt_at = NULL, callback_at = NULL WHERE lead_id = $1"},
    // Click-to-dial (control/api/api_click_to_dial.cpp): one lead taken for one call on request.
    {"lead_take_for_click",
     "UPDATE lead_dialing SET in_progress = true WHERE lead_id = $1 AND campaign_id = $2 AND NOT in_progress "
     "RETURNING attempts, round"},
    {"click_lead_insert",
     "INSERT INTO leads (campaign_id, name, phone, phone_raw, done, fields) "
     "VALUES ($1, $2, $3, $4, true, '{\"source\": \"click-to-dial\"}'::jsonb) RETURNING id"},
    {"click_lead_campaign", "SELECT campaign_id FROM lead_contacts WHERE id = $1"},
    // The retry time counts from the attempt's end (attempt_finish's clock_timestamp() in the same
    // transaction), not from the transaction's start: now() is earlier by however long the
    // transaction waited on its locks.
    {"lead_finish",
     "UPDATE lead_dialing SET status = $2, attempts = attempts + CASE WHEN $5 THEN 1 ELSE 0 END, last_attempt_at = clock_timestamp(), "
     "in_progress = false, done = $3, phone_index = $6, callback_at = NULL, "
     "next_attempt_at = CASE WHEN $3 THEN NULL ELSE clock_timestamp() + make_interval(secs => $4) END WHERE lead_id = $1"},

    // ---- lead lifecycle: single leads, recycling, callbacks, clones (api_lead_lifecycle.cpp) ----
    {"lead_insert_one",
     "INSERT INTO leads (campaign_id, name, phone, extra_phones, description, external_id, fields, phone_raw) "
     "VALUES ($1, $2, $3, $4::text[], $5, $6, $7::jsonb, $8) RETURNING " LEAD_COLS},
    {"lead_delete", "DELETE FROM leads WHERE campaign_id = $1 AND id = $2 AND NOT in_progress RETURNING id"},
    // Single-lead changes the runner may race with (a claim setting in_progress) update the
    // dialing row itself, so PostgreSQL re-checks `NOT in_progress` on the row it locks; the
    // view's INSTEAD OF trigger would write what it read before the claim.
    {"lead_set_disabled",
     "UPDATE lead_dialing d SET disabled = $3, "
     "done = CASE WHEN $3 THEN true ELSE d.status IN ('SUCCESS', 'DNC') END FROM lead_contacts c "
     "WHERE c.id = d.lead_id AND d.campaign_id = $1 AND d.lead_id = $2 AND NOT d.in_progress RETURNING " LEAD_COLS_DC},
    // Same campaign: the chosen leads are due again from their first number, in a new round;
    // their call log stays. Only their dialing rows are rewritten (0022_lead_dialing_state.sql).
    // `status <> 'NOT_CALLED'` (the route never recycles it) lets the planner use leads_status,
    // which leaves NOT_CALLED out (0020_lead_index_slimming.sql).
    {"leads_recycle_same",
     "UPDATE lead_dialing SET status = 'NOT_CALLED', attempts = 0, done = false, next_attempt_at = NULL, phone_index = 0, "
     "callback_at = NULL, callback_agent = NULL, round = round + 1 "
     "WHERE campaign_id = $1 AND status = ANY($2::text[]) AND status <> 'NOT_CALLED' AND NOT disabled AND NOT in_progress"},
    // New campaign: copies linked to their origin; one row per contact and campaign (a copy of
    // a copy names the same root lead, and leads_one_per_contact refuses a second one). The
    // target is the campaign the route creates in the same transaction, so no row can conflict:
    // a plain INSERT (an ON CONFLICT DO NOTHING cost ~35% more backend CPU for its speculative
    // insertions, recycle_bench) and a conflict would be a bug the unique index reports. The
    // copies get no dialing rows now (NOT_CALLED, in first_round, is what a missing one reads
    // as): the target's rows are pending until it starts (0023_copied_leads_dialing_later.sql).
    // The CTE runs before the statement's triggers, which see the flag.
    {"leads_recycle_copy",
     "WITH pending AS (UPDATE campaigns SET dialing_rows_pending = true WHERE id = $2 RETURNING id) "
     "INSERT INTO lead_contacts (campaign_id, name, phone, extra_phones, description, external_id, fields, origin_lead_id, "
     "root_lead_id, first_round, time_zones) SELECT $2, c.name, c.phone, c.extra_phones, c.description, c.external_id, "
     "c.fields, c.id, COALESCE(c.root_lead_id, c.id), d.round + 1, c.time_zones FROM lead_dialing d "
     "JOIN lead_contacts c ON c.id = d.lead_id WHERE d.campaign_id = $1 AND d.status = ANY($3::text[]) "
     "AND d.status <> 'NOT_CALLED' AND NOT d.disabled ORDER BY d.lead_id"},
    // The dialing row of one lead of a campaign whose rows are pending, before a single-lead
    // change writes it (disable, callback, click-to-dial); nothing when it has one or the
    // campaign's rows are not pending. The campaign row is share-locked while they are, so a
    // start (lead_dialing_make_pending) comes wholly before or after.
    {"lead_dialing_ensure",
     "INSERT INTO lead_dialing (lead_id, campaign_id, round) SELECT l.id, l.campaign_id, l.first_round "
     "FROM lead_contacts l JOIN campaigns k ON k.id = l.campaign_id WHERE l.id = $2 AND l.campaign_id = $1 "
     "AND k.dialing_rows_pending FOR SHARE OF k ON CONFLICT (lead_id) DO NOTHING"},
    // Every missing dialing row of the campaign, in id order, when it starts (the runner's
    // statements read lead_dialing only); nothing when its rows are not pending. The start
    // route has locked the campaign row (FOR UPDATE) before: no lead_dialing_ensure can add a
    // row meanwhile, and the rows made before are in this statement's snapshot, so a plain
    // INSERT (with ON CONFLICT DO NOTHING it cost 5.2-6.5 s of CPU for 1,000,000 rows, 4.6-4.9 s without).
    {"lead_dialing_make_pending",
     "WITH done AS (UPDATE campaigns SET dialing_rows_pending = false WHERE id = $1 AND dialing_rows_pending RETURNING id) "
     "INSERT INTO lead_dialing (lead_id, campaign_id, round) SELECT m.id, m.campaign_id, m.first_round FROM lead_contacts m "
     "WHERE m.campaign_id = (SELECT id FROM done) AND NOT EXISTS (SELECT 1 FROM lead_dialing x WHERE x.lead_id = m.id) "
     "ORDER BY m.id"},
    {"lead_set_callback",
     "UPDATE lead_dialing d SET callback_at = $3::timestamptz, callback_agent = $4, next_attempt_at = $3::timestamptz, "
     "done = false FROM lead_contacts c WHERE c.id = d.lead_id AND d.campaign_id = $1 AND d.lead_id = $2 "
     "AND NOT d.disabled AND NOT d.in_progress RETURNING " LEAD_COLS_DC},
    // While the rows are pending: the contacts by first_round, less those with a dialing row.
    {"lead_rounds",
     "SELECT round, sum(n)::bigint FROM (SELECT round, count(*) AS n FROM lead_dialing WHERE campaign_id = $1 GROUP BY round "
     "UNION ALL SELECT first_round, count(*) FROM lead_contacts WHERE " ROWS_PENDING " AND campaign_id = $1 GROUP BY first_round "
     "UNION ALL SELECT m.first_round, -count(*) FROM lead_dialing d JOIN lead_contacts m ON m.id = d.lead_id "
     "WHERE " ROWS_PENDING " AND d.campaign_id = $1 GROUP BY m.first_round) r GROUP BY round HAVING sum(n) > 0 ORDER BY round"},
    {"lead_callbacks_pending",
     "SELECT count(*) FROM lead_dialing WHERE campaign_id = $1 AND callback_at IS NOT NULL AND NOT done"},
    {"leads_disabled", "SELECT count(*) FROM lead_dialing WHERE campaign_id = $1 AND disabled"},
    // ---- inbound callbacks (migration 0017; control/campaign/inbound_router.cpp, api_leads.cpp) ----
    // The leads whose main or other number is $1 (E.164; also the digits of a number stored
    // before numbers were parsed), most recently attempted first. `extra_phones <> '{}'` is the
    // predicate of the partial index leads_extra_phones (0020): without it the planner cannot use it.
    {"inbound_leads",
     "SELECT l.id, l.campaign_id, c.pilot_number, "
     "COALESCE((extract(epoch FROM l.last_attempt_at) * 1000000)::bigint, 0) AS last_attempt_us "
     "FROM leads l JOIN campaigns c ON c.id = l.campaign_id "
     "WHERE (l.phone = $1 OR l.phone = ltrim($1, '+') OR (l.extra_phones <> '{}' AND l.extra_phones @> ARRAY[$1]::text[])) AND NOT l.disabled "
     "ORDER BY l.last_attempt_at DESC NULLS LAST, l.id DESC LIMIT 100"},
    // GET /leads?phone=: the leads of the caller's groups' campaigns with that number.
    {"leads_by_phone",
     "SELECT l.campaign_id, c.name AS campaign, " LEAD_COLS_L " FROM leads l JOIN campaigns c ON c.id = l.campaign_id "
     "WHERE c.group_id = ANY($2::bigint[]) "
     "AND (l.phone = $1 OR l.phone = ltrim($1, '+') OR (l.extra_phones <> '{}' AND l.extra_phones @> ARRAY[$1]::text[])) "
     "ORDER BY l.last_attempt_at DESC NULLS LAST, l.id DESC LIMIT $3"},
    // ---- calling hours (0019_calling_hours.sql; sql/calling_hours_store.cpp) ----
    {"leads_without_zones",
     "SELECT id, phone, extra_phones FROM lead_contacts WHERE campaign_id = $1 AND time_zones IS NULL AND id > $2 ORDER BY id LIMIT $3"},
    {"campaign_record_lead_zones",
     "UPDATE campaigns SET lead_zones = (SELECT COALESCE(array_agg(DISTINCT z ORDER BY z), '{}') FROM leads, "
     "unnest(time_zones) AS z WHERE campaign_id = $1 AND NOT done) WHERE id = $1"},
    {"leads_set_zones",
     "UPDATE lead_contacts l SET time_zones = u.z::text[] FROM unnest($1::bigint[], $2::text[]) AS u(id, z) WHERE l.id = u.id"},
    // Due leads outside their window, by zone list (the lists are few), with each list's zones'
    // offsets east of UTC now, for the next opening (control/campaign/calling_window.h).
    {"leads_waiting_window",
     "SELECT w.zones, w.n, ARRAY(SELECT (extract(epoch FROM (now() AT TIME ZONE z) - (now() AT TIME ZONE 'UTC')))::int "
     "FROM unnest(w.zones) AS z WHERE z IN (SELECT name FROM time_zone_names)) AS offsets, extract(epoch FROM now())::bigint AS now_s, to_char(c.calling_start, 'HH24:MI:SS') AS s, "
     "to_char(c.calling_end, 'HH24:MI:SS') AS e FROM (SELECT CASE WHEN cardinality(l.time_zones) > 0 THEN l.time_zones "
     "ELSE ARRAY[c.time_zone] END AS zones, count(*) AS n FROM leads l JOIN campaigns c ON c.id = l.campaign_id "
     "WHERE l.campaign_id = $1 AND c.calling_start IS NOT NULL AND NOT l.done AND NOT l.in_progress "
     "AND (l.next_attempt_at IS NULL OR l.next_attempt_at <= now()) "
     "AND NOT (CASE WHEN cardinality(l.time_zones) > 0 THEN l.time_zones <@ (SELECT hark_open_zones(calling_start, "
     "calling_end, now(), lead_zones) FROM campaigns WHERE id = $1) ELSE hark_window_holds((now() AT TIME ZONE c.time_zone)::time, "
     "c.calling_start, c.calling_end) END) GROUP BY 1) w "
     "JOIN campaigns c ON c.id = $1 ORDER BY w.n DESC"},
};

}  // namespace

std::span<const Statement> lead_statements() { return kStatements; }

}  // namespace hark::sql
