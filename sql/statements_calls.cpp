// The named statements of calls (sql/statement_parts.h): attempts and the call log, recordings'
// QA labels and reports, the runner's attempt rows, inbound calls' log, the calls that are up
// and their command bus, webhooks and their outbox.
#include "sql/statement_parts.h"

namespace hark::sql {

namespace {

#define ATTEMPT_COLS \
  "id, lead_id, number, state, dialed_at, answered_at, ended_at, sip_code, sip_reason, amd_verdict, amd_cause, result, cause, charged, " \
  "round, trunk, failed_over::text AS failed_over, direction, COALESCE(lead_ids, ARRAY[lead_id])::text AS lead_ids"

// Attempts `a` of campaigns `c` dialed in a range: FROM and TO are text parameters, a day
// (the campaign's local day, inclusive) or a timestamp (TO exclusive), NULL for no bound.
#define WHEN_FILTER(FROM, TO)                                                                              \
  "(" FROM "::text IS NULL OR CASE WHEN length(" FROM ") = 10 THEN (a.dialed_at AT TIME ZONE c.time_zone)::date >= " \
  FROM "::date ELSE a.dialed_at >= " FROM "::timestamptz END) AND (" TO "::text IS NULL OR CASE WHEN length(" TO   \
  ") = 10 THEN (a.dialed_at AT TIME ZONE c.time_zone)::date <= " TO "::date ELSE a.dialed_at < " TO             \
  "::timestamptz END)"

const Statement kStatements[] = {
    {"attempt_count",
     "SELECT count(*), count(*) FILTER (WHERE charged) FROM call_attempts WHERE campaign_id = $1 AND direction = 'outbound'"},
    {"attempts_open", "SELECT id FROM call_attempts WHERE campaign_id = $1 AND state = 'DIALING' LIMIT 1"},
    {"attempts_page",
     "SELECT " ATTEMPT_COLS " FROM call_attempts WHERE campaign_id = $1 AND ($2::bigint IS NULL OR lead_id = $2) "
     "ORDER BY id LIMIT $3 OFFSET $4"},
    {"attempts_count", "SELECT count(*) FROM call_attempts WHERE campaign_id = $1 AND ($2::bigint IS NULL OR lead_id = $2)"},
    {"attempts_after", "SELECT " ATTEMPT_COLS " FROM call_attempts WHERE campaign_id = $1 AND id > $2 ORDER BY id LIMIT $3"},

    // ---- recordings, QA labels, reports (migration 0010; control/api/api_recordings.cpp, api_reports.cpp) ----
    // $1 is always the caller's groups ({1,2}); from/to are text: a day (the campaign's local
    // day, inclusive) or a timestamp (to exclusive).
    {"attempt_owner", "SELECT campaign_id FROM call_attempts WHERE id = $1"},
    {"attempt_label",
     "UPDATE call_attempts SET qa_label = $2, qa_beep_ms = $3, qa_labelled_at = now(), qa_labelled_by = $4 "
     "WHERE id = $1"},
    {"qa_matrix",
     "SELECT a.qa_label, COALESCE(a.amd_verdict, 'none') AS verdict, count(*) AS n, "
     "count(*) FILTER (WHERE a.qa_beep_ms IS NOT NULL) AS beeps, "
     "count(*) FILTER (WHERE a.qa_beep_ms IS NOT NULL AND COALESCE(a.cause, '') NOT LIKE '%after the beep%') AS beep_missed "
     "FROM call_attempts a JOIN campaigns c ON c.id = a.campaign_id "
     "WHERE a.qa_label IS NOT NULL AND c.group_id = ANY($1::bigint[]) AND ($2::bigint IS NULL OR a.campaign_id = $2) "
     "AND " WHEN_FILTER("$3", "$4") " GROUP BY 1, 2 ORDER BY 1, 2"},
    {"qa_labelled",
     "SELECT a.id, a.qa_label, a.qa_beep_ms, a.amd_verdict FROM call_attempts a JOIN campaigns c ON c.id = a.campaign_id "
     "WHERE a.qa_label IS NOT NULL AND c.group_id = ANY($1::bigint[]) AND ($2::bigint IS NULL OR a.campaign_id = $2) "
     "AND " WHEN_FILTER("$3", "$4") " ORDER BY a.id LIMIT $5"},
    {"report_calls",
     "SELECT a.id, a.campaign_id, c.name AS campaign, a.lead_id, l.name AS lead_name, a.number, a.state, "
     "a.dialed_at::text AS dialed_at, a.answered_at::text AS answered_at, a.ended_at::text AS ended_at, a.sip_code, "
     "a.sip_reason, a.amd_verdict, a.amd_cause, a.amd_ms, a.result, a.cause, a.qa_label "
     "FROM call_attempts a JOIN campaigns c ON c.id = a.campaign_id JOIN lead_contacts l ON l.id = a.lead_id "
     "WHERE c.group_id = ANY($1::bigint[]) AND ($2::bigint IS NULL OR a.campaign_id = $2) AND " WHEN_FILTER("$3", "$4")
     " AND ($5::text IS NULL OR a.result = $5) AND ($6::text IS NULL OR a.amd_verdict = $6) "
     "AND ($7::text IS NULL OR strpos(a.number, $7) > 0) AND a.id > $8 ORDER BY a.id LIMIT $9"},
    {"report_daily",
     "SELECT (a.dialed_at AT TIME ZONE c.time_zone)::date::text AS day, "
     "CASE WHEN $5 THEN a.campaign_id END AS campaign_id, CASE WHEN $5 THEN min(c.name) END AS campaign, "
     "count(*) FILTER (WHERE a.result IS DISTINCT FROM 'DNC') AS placed, "
     "count(*) FILTER (WHERE a.answered_at IS NOT NULL) AS answered, "
     "count(*) FILTER (WHERE a.result = 'SUCCESS') AS transferred, "
     "count(*) FILTER (WHERE a.amd_verdict = 'machine') AS machines, "
     "count(*) FILTER (WHERE a.answered_at IS NOT NULL AND a.amd_verdict IN ('human', 'unknown') "
     "AND a.result IS DISTINCT FROM 'SUCCESS' AND a.state = 'DONE') AS abandoned, "
     "count(*) FILTER (WHERE a.amd_verdict = 'human') AS amd_human, "
     "count(*) FILTER (WHERE a.amd_verdict = 'machine') AS amd_machine, "
     "count(*) FILTER (WHERE a.amd_verdict = 'fax') AS amd_fax, count(*) FILTER (WHERE a.amd_verdict = 'sit') AS amd_sit, "
     "count(*) FILTER (WHERE a.amd_verdict = 'silence') AS amd_silence, "
     "count(*) FILTER (WHERE a.amd_verdict = 'unknown') AS amd_unknown, "
     "avg(a.amd_ms) FILTER (WHERE a.result = 'SUCCESS') AS mean_answer_to_transfer_ms, "
     "count(DISTINCT a.lead_id) FILTER (WHERE a.result IS DISTINCT FROM 'DNC') AS leads "
     "FROM call_attempts a JOIN campaigns c ON c.id = a.campaign_id "
     "WHERE c.group_id = ANY($1::bigint[]) AND ($2::bigint IS NULL OR a.campaign_id = $2) AND a.direction = 'outbound' AND "
     WHEN_FILTER("$3", "$4") " GROUP BY 1, CASE WHEN $5 THEN a.campaign_id END ORDER BY 1, 2"},
    {"report_leads",
     "SELECT l.id, l.name, l.phone, l.status, l.attempts, l.last_attempt_at::text AS last_attempt_at, "
     "(SELECT a.result FROM call_attempts a WHERE a.lead_id = l.id AND a.direction = 'outbound' ORDER BY a.id DESC LIMIT 1) "
     "AS last_result "
     "FROM leads l WHERE l.campaign_id = $1 AND l.id > $2 ORDER BY l.id LIMIT $3"},
    {"attempt_insert_dialing",
     "INSERT INTO call_attempts (campaign_id, lead_id, number, instance_id, dialed_at, round) "
     "VALUES ($1, $2, $3, $4, clock_timestamp(), $5) RETURNING id"},
    {"attempt_insert_dnc",
     "INSERT INTO call_attempts (campaign_id, lead_id, number, state, ended_at, result, cause, instance_id, round) "
     "VALUES ($1, $2, $3, 'DONE', now(), 'DNC', 'on the do-not-call list', $4, $5)"},
    {"attempt_finish",
     "UPDATE call_attempts SET state = 'DONE', ended_at = clock_timestamp(), "
     "answered_at = CASE WHEN $2 THEN clock_timestamp() - make_interval(secs => $3) END, sip_code = $4, sip_reason = $5, "
     "amd_verdict = $6, amd_cause = $7, amd_ms = $8, result = $9, cause = $10, charged = $11, amd_late_cause = $12, "
     "trunk = $13, failed_over = $14::text[] "
     "WHERE id = $1 AND state = 'DIALING'"},
    {"inbound_call_insert",
     "INSERT INTO inbound_calls (caller_raw, caller, called, kind, target, trunk, campaign_id, lead_ids, instance_id) "
     "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::bigint[], $9) RETURNING id"},
    {"inbound_attempt_insert",
     "INSERT INTO call_attempts (campaign_id, lead_id, lead_ids, number, state, ended_at, sip_code, sip_reason, cause, "
     "instance_id, trunk, charged, direction) "
     "VALUES ($1, $2, $3::bigint[], $4, 'DONE', now(), $5, $6, $7, $8, $9, false, 'inbound')"},

    // ---- calls that are up, and the command bus (issue 16; sql/live_call_store.h) ----
    {"live_call_insert",
     "INSERT INTO live_calls (id, campaign_id, lead_id, number, instance_id, placed_by) VALUES ($1, $2, $3, $4, $5, $6)"},
    // A later state of a call (never after its end); the answer time is its first connected state.
    {"live_call_update",
     "UPDATE live_calls SET state = $2, trunk = COALESCE($3, trunk), amd_verdict = COALESCE($4, amd_verdict), "
     "answered_at = CASE WHEN $2 = 'connected' AND answered_at IS NULL THEN clock_timestamp() ELSE answered_at END, "
     "updated_at = clock_timestamp() WHERE id = $1 AND state <> 'ended'"},
    {"live_call_end",
     "UPDATE live_calls SET state = 'ended', ended_at = clock_timestamp(), updated_at = clock_timestamp() "
     "WHERE id = $1 AND state <> 'ended'"},
    // The recovery's part: calls of processes silent for $2 s end; ended rows go after a day.
    {"live_calls_recover",
     "UPDATE live_calls c SET state = 'ended', ended_at = now(), updated_at = now() WHERE c.state <> 'ended' "
     "AND c.instance_id IS DISTINCT FROM $1 AND NOT EXISTS (SELECT 1 FROM runner_instances r "
     "WHERE r.id = c.instance_id AND r.heartbeat_at > now() - make_interval(secs => $2))"},
    {"live_calls_sweep", "DELETE FROM live_calls WHERE state = 'ended' AND ended_at < now() - interval '1 day'"},
#define LIVE_CALL_COLS                                                                                     \
  "c.id, c.campaign_id, c.lead_id, c.number, c.instance_id, c.state, c.trunk, c.amd_verdict, c.placed_by, " \
  "c.dialed_at::text AS dialed_at, c.answered_at::text AS answered_at, c.updated_at::text AS updated_at, "  \
  "c.ended_at::text AS ended_at, k.group_id, k.default_region, k.internal_length"
    // $1 groups (an admin's or supervisor's), or $2 the agent (placed_by); $3 campaign, $4 state
    // (NULL: every state but ended).
    {"live_calls_list",
     "SELECT " LIVE_CALL_COLS " FROM live_calls c JOIN campaigns k ON k.id = c.campaign_id "
     "WHERE (k.group_id = ANY($1::bigint[]) OR c.placed_by = $2) AND ($3::bigint IS NULL OR c.campaign_id = $3) "
     "AND (CASE WHEN $4::text IS NULL THEN c.state <> 'ended' ELSE c.state = $4 END) ORDER BY c.id LIMIT $5"},
    {"live_call_get",
     "SELECT " LIVE_CALL_COLS " FROM live_calls c JOIN campaigns k ON k.id = c.campaign_id WHERE c.id = $1"},
    // An attempt without a live row (ended and swept, or from before the table): its group and state.
    {"attempt_group_state",
     "SELECT k.group_id, a.state FROM call_attempts a JOIN campaigns k ON k.id = a.campaign_id WHERE a.id = $1"},
    {"call_command_insert",
     "INSERT INTO call_commands (call_id, instance_id, kind, target, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id"},
    {"call_command_result", "SELECT status, message FROM call_commands WHERE id = $1"},
    {"call_commands_results",
     "SELECT id, status, message FROM call_commands WHERE id = ANY($1::bigint[]) AND status IS NOT NULL"},
    // The owner's side: its unanswered commands, each taken once (several listeners never race).
    {"call_commands_pending",
     "SELECT id, call_id, kind, COALESCE(target, '') AS target, created_at < now() - make_interval(secs => $2) AS expired "
     "FROM call_commands WHERE instance_id = $1 AND status IS NULL ORDER BY id FOR UPDATE SKIP LOCKED"},
    {"call_command_answer",
     "UPDATE call_commands SET status = $2, message = $3, done_at = clock_timestamp() WHERE id = $1"},
    // Today's figures of one campaign ($1) or every campaign of the groups $2 (on its own clock),
    // and the calls up in every process.
    {"live_figures",
     "SELECT k.id AS campaign_id, "
     "count(a.id) FILTER (WHERE a.result IS DISTINCT FROM 'DNC') AS placed, "
     "count(a.id) FILTER (WHERE a.answered_at IS NOT NULL) AS answered, "
     "count(a.id) FILTER (WHERE a.result = 'SUCCESS') AS transferred, "
     "count(a.id) FILTER (WHERE a.amd_verdict = 'machine') AS machines, "
     "count(a.id) FILTER (WHERE a.amd_verdict IN ('fax', 'sit')) AS fax_sit, "
     // as the daily report counts them (report_daily)
     "count(a.id) FILTER (WHERE a.answered_at IS NOT NULL AND a.amd_verdict IN ('human', 'unknown') "
     "AND a.result IS DISTINCT FROM 'SUCCESS' AND a.state = 'DONE') AS abandoned, "
     "count(a.id) FILTER (WHERE a.state = 'DONE' AND a.answered_at IS NULL AND a.result NOT IN ('DNC', 'SUCCESS', 'AMD')) AS failed, "
     "count(a.id) FILTER (WHERE a.result = 'DNC') AS dnc, "
     "count(a.id) FILTER (WHERE a.state = 'DONE' AND a.result IS DISTINCT FROM 'DNC') AS ended, "
     "count(a.id) FILTER (WHERE a.result IS DISTINCT FROM 'DNC' AND a.dialed_at > now() - interval '10 seconds') AS recent, "
     "(SELECT count(*) FROM live_calls c WHERE c.campaign_id = k.id AND c.state = 'dialing') AS dialing, "
     "(SELECT count(*) FROM live_calls c WHERE c.campaign_id = k.id AND c.state IN ('ringing', 'early_media')) AS ringing, "
     "(SELECT count(*) FROM live_calls c WHERE c.campaign_id = k.id AND c.state IN ('connected', 'on_hold', "
     "'transferring', 'consulting')) AS connected "
     "FROM campaigns k LEFT JOIN call_attempts a ON a.campaign_id = k.id "
     "AND a.dialed_at >= (date_trunc('day', now() AT TIME ZONE k.time_zone) AT TIME ZONE k.time_zone) "
     "WHERE ($1::bigint IS NULL OR k.id = $1) AND k.group_id = ANY($2::bigint[]) GROUP BY k.id ORDER BY k.id"},
    // ---- webhooks for CRMs and their outbox (0015_webhooks.sql; sql/webhook_store.cpp) ----
    {"webhook_insert",
     "INSERT INTO webhooks (campaign_id, url, events, secret) VALUES ($1, $2, $3::text[], $4) "
     "RETURNING id, campaign_id, url, array_to_string(events, ',') AS events, created_at::text AS created_at"},
    {"webhooks_list",
     "SELECT id, campaign_id, url, array_to_string(events, ',') AS events, created_at::text AS created_at "
     "FROM webhooks WHERE campaign_id = $1 ORDER BY id"},
    {"webhook_campaign", "SELECT campaign_id FROM webhooks WHERE id = $1"},
    {"webhook_delete", "DELETE FROM webhooks WHERE id = $1"},
    {"webhook_deliveries_list",
     "SELECT id, attempt_id, event, status, attempts, "
     "CASE WHEN status = 'pending' THEN next_try_at::text END AS next_try_at, last_status, last_error, "
     "created_at::text AS created_at, delivered_at::text AS delivered_at "
     "FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2"},
    // One row per webhook of the campaign that wants the event; the lead's fields are read here,
    // at enqueue, so the body is a snapshot and the runner reads nothing. $4: the event's JSON.
    {"webhook_enqueue",
     "INSERT INTO webhook_deliveries (webhook_id, attempt_id, event, body) "
     "SELECT w.id, $2, $3, ($4::jsonb || jsonb_build_object('lead', CASE WHEN l.id IS NULL THEN NULL ELSE "
     "jsonb_build_object('id', l.id, 'name', l.name, 'phone', l.phone, 'phoneRaw', COALESCE(l.phone_raw, l.phone), "
     "'externalId', l.external_id, 'description', l.description, 'extra', l.fields) END))::text "
     "FROM webhooks w LEFT JOIN call_attempts a ON a.id = $2 LEFT JOIN lead_contacts l ON l.id = a.lead_id "
     "WHERE w.campaign_id = $1 AND $3 = ANY(w.events)"},
    // The next due delivery, locked for this transaction (other workers skip it); the worker
    // POSTs it and writes the answer before committing.
    {"webhook_claim",
     "SELECT d.id, d.event, d.body, d.attempts, w.url, w.secret FROM webhook_deliveries d "
     "JOIN webhooks w ON w.id = d.webhook_id WHERE d.status = 'pending' AND d.next_try_at <= clock_timestamp() "
     "ORDER BY d.next_try_at, d.id LIMIT 1 FOR UPDATE OF d SKIP LOCKED"},
    {"webhook_delivered",
     "UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, last_status = $2, "
     "last_error = NULL, delivered_at = clock_timestamp() WHERE id = $1"},
    {"webhook_retry",
     "UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = $2, last_error = $3, "
     "status = CASE WHEN $4 THEN 'failed' ELSE 'pending' END, "
     "next_try_at = clock_timestamp() + make_interval(secs => $5) WHERE id = $1"},
};

}  // namespace

std::span<const Statement> call_statements() { return kStatements; }

}  // namespace hark::sql
