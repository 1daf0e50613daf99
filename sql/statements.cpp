// Every SQL statement hark runs, by name. Each pooled connection prepares them all, so a
// typo fails at start-up, user input only ever travels as parameters, and the server plans
// each statement once per connection.
#include "sql/db_pool.h"

namespace hark::sql {

namespace {

#define USER_COLS                                                                                           \
  "u.id, u.username, u.role, u.enabled, "                                                                   \
  "u.created_at, COALESCE((SELECT string_agg(group_id::text, ',' ORDER BY group_id) FROM user_groups "      \
  "WHERE user_id = u.id), '') AS groups"

// Calling hours at the called party's local time (0019_calling_hours.sql), NULL when off.
#define CALLING_HOURS_COLS(T) \
  "to_char(" T "calling_start, 'HH24:MI') AS calling_start, to_char(" T "calling_end, 'HH24:MI') AS calling_end"
// Pacing settings (0018_pacing.sql), in every campaign row.
#define PACING_COLS                                                                                      \
  "dialing_mode, power_lines, abandon_cap, count_amd_false_positives, guaranteed_agent, identification_prompt_id"

#define CAMPAIGN_COLS                                                                                         \
  "id, name, description, group_id, state, start_date::text AS start_date, end_date::text AS end_date, "     \
  "to_char(start_time, 'HH24:MI:SS') AS start_time, to_char(end_time, 'HH24:MI:SS') AS end_time, weekdays, " \
  "time_zone, pilot_number, kind, queue, max_attempts, retry_minutes, retry_rules::text AS retry_rules, "      \
  "amd_enabled, amd_params::text AS amd_params, voicemail_prompt_id, dnc_service_id, dnc_list_id, dial_prefix, " \
  "caller_id, max_concurrent, fixed_channels, free_agents, trunk_group, last_error, created_at, updated_at, "  \
  "default_region, internal_length, dial_every_number, recording_percent, recording_channels, "              \
  "recording_retention_days, " CALLING_HOURS_COLS("") ", " PACING_COLS

#define PROMPT_COLS "id, group_id, name, size_bytes, duration_ms, file_name, created_at::text AS created_at"

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
    {"health", "SELECT COALESCE(max(version), 0) FROM hark_schema_version"},
    {"timezone_exists", "SELECT count(*) FROM pg_timezone_names WHERE name = $1"},
    {"audit_insert", "INSERT INTO audit_log (user_id, action, object, detail) VALUES ($1, $2, $3, $4::jsonb)"},
    {"audit_list",
     "SELECT a.id, a.at, u.username, a.action, a.object, a.detail::text AS detail FROM audit_log a "
     "LEFT JOIN users u ON u.id = a.user_id WHERE a.id < $1 ORDER BY a.id DESC LIMIT $2"},

    // ---- users, sessions ----
    {"user_for_login",
     "SELECT u.id, u.password_hash, u.role, u.enabled, "
     "COALESCE((SELECT bool_or(g.enabled) FROM user_groups ug JOIN dialer_groups g ON g.id = ug.group_id "
     "WHERE ug.user_id = u.id), false) AS any_group_enabled, "
     "COALESCE((SELECT string_agg(group_id::text, ',' ORDER BY group_id) FROM user_groups WHERE user_id = u.id), '') AS groups "
     "FROM users u WHERE u.username = $1"},
    {"session_insert",
     "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3)) "
     "RETURNING expires_at::text"},
    {"session_purge_expired", "DELETE FROM sessions WHERE expires_at < now()"},
    {"session_delete", "DELETE FROM sessions WHERE token_hash = $1"},
    {"sessions_delete_user", "DELETE FROM sessions WHERE user_id = $1"},
    {"session_principal",
     "SELECT u.id, u.username, u.role, u.enabled, "
     "COALESCE((SELECT bool_or(g.enabled) FROM user_groups ug JOIN dialer_groups g ON g.id = ug.group_id "
     "WHERE ug.user_id = u.id), false) AS any_group_enabled, "
     "COALESCE((SELECT string_agg(group_id::text, ',' ORDER BY group_id) FROM user_groups WHERE user_id = u.id), '') AS groups "
     "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > now()"},
    {"user_bootstrap_master",
     "INSERT INTO users (username, password_hash, role) SELECT $1, $2, 'master' "
     "WHERE NOT EXISTS (SELECT 1 FROM users) RETURNING id"},
    {"users_list", "SELECT " USER_COLS " FROM users u ORDER BY u.id"},
    {"user_get", "SELECT " USER_COLS " FROM users u WHERE u.id = $1"},
    {"user_id_by_name", "SELECT id FROM users WHERE username = $1"},
    {"user_insert", "INSERT INTO users (username, password_hash, role, enabled) VALUES ($1, $2, $3, $4) RETURNING id"},
    {"user_update", "UPDATE users SET role = COALESCE($2, role), enabled = COALESCE($3, enabled) WHERE id = $1"},
    {"user_delete", "DELETE FROM users WHERE id = $1"},
    {"user_set_password", "UPDATE users SET password_hash = $2 WHERE id = $1"},
    {"user_groups_clear", "DELETE FROM user_groups WHERE user_id = $1"},
    {"user_group_add", "INSERT INTO user_groups (user_id, group_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"},

    // ---- groups ----
    {"groups_list", "SELECT id, name, description, enabled, created_at FROM dialer_groups ORDER BY id"},
    {"group_get", "SELECT id, name, description, enabled, created_at FROM dialer_groups WHERE id = $1"},
    {"group_id_by_name", "SELECT id FROM dialer_groups WHERE name = $1"},
    {"group_insert", "INSERT INTO dialer_groups (name, description, enabled) VALUES ($1, $2, $3) RETURNING id"},
    {"group_update",
     "UPDATE dialer_groups SET name = COALESCE($2, name), description = COALESCE($3, description), "
     "enabled = COALESCE($4, enabled) WHERE id = $1 RETURNING id"},

    // ---- campaigns, schedules ----
    {"campaign_group", "SELECT group_id FROM campaigns WHERE id = $1"},
    {"campaign_row", "SELECT " CAMPAIGN_COLS " FROM campaigns WHERE id = $1"},
    {"campaign_row_locked", "SELECT " CAMPAIGN_COLS " FROM campaigns WHERE id = $1 FOR UPDATE"},
    {"campaigns_list", "SELECT " CAMPAIGN_COLS " FROM campaigns WHERE NOT ($1 AND state = 'FINISHED') ORDER BY id"},
    {"campaign_id_by_name", "SELECT id FROM campaigns WHERE name = $1"},
    {"campaign_insert",
     "INSERT INTO campaigns (name, description, group_id, start_date, end_date, start_time, end_time, weekdays, "
     "time_zone, pilot_number, kind, queue, max_attempts, retry_minutes, retry_rules, amd_enabled, amd_params, "
     "voicemail_prompt_id, dnc_service_id, dnc_list_id, dial_prefix, caller_id, max_concurrent, fixed_channels, trunk_group) "
     "VALUES ($1, $2, $3, $4::date, $5::date, $6::time, $7::time, $8, $9, $10, $11, $12, $13, $14, $15::jsonb, $16, "
     "$17::jsonb, $18, $19, $20, $21, $22, $23, $24, $25) RETURNING id"},
    {"campaign_update",
     "UPDATE campaigns SET name = $2, description = $3, group_id = $4, start_date = $5::date, end_date = $6::date, "
     "start_time = $7::time, end_time = $8::time, weekdays = $9, time_zone = $10, pilot_number = $11, kind = $12, "
     "queue = $13, max_attempts = $14, retry_minutes = $15, retry_rules = $16::jsonb, amd_enabled = $17, "
     "amd_params = $18::jsonb, voicemail_prompt_id = $19, dnc_service_id = $20, dnc_list_id = $21, dial_prefix = $22, "
     "caller_id = $23, max_concurrent = $24, fixed_channels = $25, trunk_group = $26, updated_at = now() WHERE id = $1"},
    {"campaign_set_numbers", "UPDATE campaigns SET default_region = $2, internal_length = $3 WHERE id = $1"},
    {"campaign_set_calling_hours", "UPDATE campaigns SET calling_start = $2::time, calling_end = $3::time WHERE id = $1"},
    {"campaign_set_recording",
     "UPDATE campaigns SET recording_percent = $2, recording_channels = $3, recording_retention_days = $4 WHERE id = $1"},
    {"recordings_expired",
     "SELECT a.id FROM call_attempts a JOIN campaigns c ON c.id = a.campaign_id WHERE a.id = ANY($1::bigint[]) "
     "AND c.recording_retention_days IS NOT NULL AND a.ended_at < now() - make_interval(days => c.recording_retention_days)"},
    {"campaign_delete", "DELETE FROM campaigns WHERE id = $1"},
    {"campaign_set_state",
     "UPDATE campaigns SET state = $2, updated_at = now(), "
     "last_error = CASE WHEN $2 = 'STARTED' THEN NULL ELSE last_error END, "
     "started_at = CASE WHEN $2 = 'STARTED' THEN now() ELSE started_at END, "
     "finished_at = CASE WHEN $2 = 'FINISHED' THEN now() ELSE finished_at END WHERE id = $1"},
    {"campaign_pause",
     "UPDATE campaigns SET state = 'PAUSED', last_error = $2, updated_at = now() WHERE id = $1 AND state = 'STARTED' "
     "RETURNING id"},
    {"campaign_set_pacing",
     "UPDATE campaigns SET dialing_mode = $2, power_lines = $3, abandon_cap = $4, count_amd_false_positives = $5, "
     "guaranteed_agent = $6, identification_prompt_id = $7 WHERE id = $1"},
    // ---- agents and abandoned calls (issue 18, 0018_pacing.sql) ----
    // A report from the contact center: the agent's state, and hark's hold on it is over.
    {"agent_put",
     "INSERT INTO campaign_agents (campaign_id, agent_id, state, extension) VALUES ($1, $2, $3, $4) "
     "ON CONFLICT (campaign_id, agent_id) DO UPDATE SET state = $3, extension = COALESCE($4, campaign_agents.extension), "
     "held_attempt = NULL, updated_at = now() RETURNING agent_id, state, extension, held_attempt, updated_at::text AS updated_at"},
    {"agents_list",
     "SELECT agent_id, state, extension, held_attempt, updated_at::text AS updated_at FROM campaign_agents "
     "WHERE campaign_id = $1 ORDER BY agent_id"},
    // hark gave the agent a call: talking until the contact center reports it again.
    {"agent_hold",
     "UPDATE campaign_agents SET state = 'talking', held_attempt = $3 WHERE campaign_id = $1 AND agent_id = $2 "
     "AND state = 'ready' AND held_attempt IS NULL"},
    // The call never reached the agent: ready again, unless reported since.
    {"agent_unhold",
     "UPDATE campaign_agents SET state = 'ready', held_attempt = NULL WHERE campaign_id = $1 AND agent_id = $2 "
     "AND held_attempt = $3"},
    // People answered and abandoned over the last 30 days, 24 hours and 15 minutes. A person: the
    // AMD said human (or unsure, or no AMD and the call was answered and passed on), and with
    // $2 the AMD's false positives QA found (labelled human, the AMD said machine) count as
    // people abandoned (Ofcom).
    {"abandon_counts",
     "SELECT count(*) FILTER (WHERE p AND dialed_at > now() - interval '30 days') AS people_30d, "
     "count(*) FILTER (WHERE ab AND dialed_at > now() - interval '30 days') AS abandoned_30d, "
     "count(*) FILTER (WHERE p AND dialed_at > now() - interval '24 hours') AS people_24h, "
     "count(*) FILTER (WHERE ab AND dialed_at > now() - interval '24 hours') AS abandoned_24h, "
     "count(*) FILTER (WHERE p AND dialed_at > now() - interval '15 minutes') AS people_15m, "
     "count(*) FILTER (WHERE ab AND dialed_at > now() - interval '15 minutes') AS abandoned_15m "
     "FROM (SELECT dialed_at, "
     "(result IN ('SUCCESS', 'ABANDONED') OR amd_verdict IN ('human', 'unknown') "
     " OR ($2 AND qa_label = 'human' AND amd_verdict = 'machine')) AS p, "
     "(result = 'ABANDONED' OR ($2 AND qa_label = 'human' AND amd_verdict = 'machine')) AS ab "
     "FROM call_attempts WHERE campaign_id = $1 AND state = 'DONE' AND answered_at IS NOT NULL "
     "AND dialed_at > now() - interval '30 days') x"},
    {"campaign_set_free_agents", "UPDATE campaigns SET free_agents = $2 WHERE id = $1"},
    {"campaign_today", "SELECT (now() AT TIME ZONE time_zone)::date::text FROM campaigns WHERE id = $1"},
    {"schedules_generate",
     "INSERT INTO schedules (campaign_id, day, start_time, end_time) "
     "SELECT $1, d::date, $2::time, $3::time FROM generate_series($4::date, $5::date, interval '1 day') d "
     "WHERE (($6::int >> extract(dow FROM d)::int) & 1) = 1 AND d::date >= $7::date "
     "ON CONFLICT (campaign_id, day) DO NOTHING"},
    {"schedules_delete_unstarted", "DELETE FROM schedules WHERE campaign_id = $1 AND day >= $2::date AND state = 'NOT_RUNNING'"},
    {"schedules_set_hours",
     "UPDATE schedules SET start_time = $2::time, end_time = $3::time "
     "WHERE campaign_id = $1 AND day >= $4::date AND state <> 'FINISHED'"},
    {"schedules_list",
     "SELECT id, day::text AS day, to_char(start_time, 'HH24:MI') AS start_time, to_char(end_time, 'HH24:MI') AS end_time, "
     "state FROM schedules WHERE campaign_id = $1 ORDER BY day"},
    {"schedule_on_day", "SELECT id FROM schedules WHERE campaign_id = $1 AND day = $2::date"},
    {"schedule_add", "INSERT INTO schedules (campaign_id, day, start_time, end_time) VALUES ($1, $2::date, $3::time, $4::time)"},
    {"schedules_pause", "UPDATE schedules SET state = 'NOT_RUNNING' WHERE campaign_id = $1 AND state IN ('RUNNING', 'DNC_OUT_OF_SERVICE')"},

    // ---- prompts ----
    {"prompt_insert",
     "WITH n AS (SELECT nextval(pg_get_serial_sequence('prompts', 'id')) AS id) "
     "INSERT INTO prompts (id, group_id, name, size_bytes, duration_ms, file_name) "
     "SELECT id, $1, $2, $3, $4, 'prompt-' || id || '.wav' FROM n RETURNING " PROMPT_COLS},
    {"prompts_list", "SELECT " PROMPT_COLS " FROM prompts ORDER BY id"},
    {"prompt_get", "SELECT " PROMPT_COLS " FROM prompts WHERE id = $1"},
    {"prompt_get_locked", "SELECT " PROMPT_COLS " FROM prompts WHERE id = $1 FOR UPDATE"},
    {"prompt_users", "SELECT id FROM campaigns WHERE voicemail_prompt_id = $1 ORDER BY id LIMIT 10"},
    {"prompt_delete", "DELETE FROM prompts WHERE id = $1"},

    // ---- leads, call log ----
    {"lead_external_ids", "SELECT external_id FROM leads WHERE campaign_id = $1 AND external_id IS NOT NULL"},
    {"lead_phones", "SELECT phone FROM leads WHERE campaign_id = $1"},
    {"lead_counts", "SELECT status, count(*) FROM leads WHERE campaign_id = $1 GROUP BY status"},
    {"leads_pending", "SELECT count(*) FROM leads WHERE campaign_id = $1 AND NOT done"},
    {"leads_page",
     "SELECT " LEAD_COLS " FROM leads WHERE campaign_id = $1 AND ($2::text IS NULL OR status = $2) ORDER BY id LIMIT $3 OFFSET $4"},
    {"leads_count", "SELECT count(*) FROM leads WHERE campaign_id = $1 AND ($2::text IS NULL OR status = $2)"},
    {"lead_get", "SELECT " LEAD_COLS " FROM leads WHERE campaign_id = $1 AND id = $2"},
    {"lead_update",
     "UPDATE leads SET name = COALESCE($3, name), description = COALESCE($4, description), phone = COALESCE($5, phone), "
     "phone_raw = CASE WHEN $5 IS NULL THEN phone_raw WHEN $6 = $5 THEN NULL ELSE $6 END, "
     "time_zones = CASE WHEN $5 IS NULL THEN time_zones END "
     "WHERE campaign_id = $1 AND id = $2 RETURNING " LEAD_COLS},
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
     "FROM call_attempts a JOIN campaigns c ON c.id = a.campaign_id JOIN leads l ON l.id = a.lead_id "
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

    // ---- do-not-call ----
    {"dnc_lists", "SELECT id, name, version, created_at, group_id, default_region, internal_length FROM dnc_lists ORDER BY id"},
    {"dnc_list_get",
     "SELECT id, name, version, created_at, group_id, default_region, internal_length FROM dnc_lists WHERE id = $1"},
    {"dnc_list_by_name", "SELECT id FROM dnc_lists WHERE name = $1 AND group_id IS NOT DISTINCT FROM $2"},
    {"dnc_list_insert", "INSERT INTO dnc_lists (name, group_id, default_region, internal_length) VALUES ($1, $2, $3, $4) RETURNING id"},
    {"dnc_list_bump", "UPDATE dnc_lists SET version = version + 1 WHERE id = $1 RETURNING version"},
    {"dnc_list_versions", "SELECT id, version FROM dnc_lists"},
    {"dnc_list_version", "SELECT version FROM dnc_lists WHERE id = $1"},
    {"dnc_list_numbers_page",
     "SELECT number FROM dnc_numbers WHERE list_id = $1 AND number > $2 ORDER BY number LIMIT $3"},
    {"dnc_number_add", "INSERT INTO dnc_numbers (list_id, number, raw) VALUES ($1, $2, NULLIF($3, $2)) ON CONFLICT DO NOTHING"},
    // Also the form stored before numbers were parsed (0009): "+4416..." was kept as "4416...".
    {"dnc_number_remove", "DELETE FROM dnc_numbers WHERE list_id = $1 AND (number = $2 OR number = ltrim($2, '+'))"},
    {"dnc_numbers_insert_many",
     "INSERT INTO dnc_numbers (list_id, number, raw) SELECT $1, n, NULLIF(r, n) FROM unnest($2::text[], $3::text[]) AS u(n, r) "
     "ON CONFLICT DO NOTHING"},
    {"dnc_services", "SELECT id, name, url, timeout_ms, bearer_token, group_id FROM dnc_services ORDER BY id"},
    {"dnc_service_get", "SELECT id, name, url, timeout_ms, bearer_token, group_id FROM dnc_services WHERE id = $1"},
    {"dnc_service_by_name", "SELECT id FROM dnc_services WHERE name = $1 AND group_id IS NOT DISTINCT FROM $2"},
    {"dnc_service_insert",
     "INSERT INTO dnc_services (name, url, timeout_ms, bearer_token, group_id) VALUES ($1, $2, $3, $4, $5) RETURNING id"},

    // ---- campaign runner ----
    {"runner_heartbeat",
     "INSERT INTO runner_instances (id, host, pid) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()"},
    {"runner_recover",
     "WITH dead AS (UPDATE call_attempts a SET state = 'DONE', ended_at = now(), result = 'UNKNOWN', "
     "cause = 'the hark process placing the call stopped', charged = false "
     "WHERE a.state = 'DIALING' AND a.instance_id IS DISTINCT FROM $1 AND NOT EXISTS (SELECT 1 FROM runner_instances r "
     "WHERE r.id = a.instance_id AND r.heartbeat_at > now() - make_interval(secs => $2)) RETURNING a.lead_id) "
     "UPDATE leads l SET in_progress = false, status = 'UNKNOWN', next_attempt_at = now() FROM dead "
     "WHERE l.id = dead.lead_id RETURNING l.id"},
    // The schedule entries the runner may move along the clock, with each campaign's local day
    // and time (days after 1970-01-01, microseconds after midnight); the runner decides.
    {"runner_open_schedules",
     "SELECT s.id, s.campaign_id, (s.day - date '1970-01-01') AS day, "
     "(extract(epoch FROM s.start_time) * 1000000)::bigint AS start_us, "
     "(extract(epoch FROM s.end_time) * 1000000)::bigint AS end_us, s.state, "
     "((now() AT TIME ZONE c.time_zone)::date - date '1970-01-01') AS local_day, "
     "(extract(epoch FROM (now() AT TIME ZONE c.time_zone)::time) * 1000000)::bigint AS local_us "
     "FROM schedules s JOIN campaigns c ON c.id = s.campaign_id WHERE c.state = 'STARTED' AND s.state <> 'FINISHED' "
     "AND s.day <= (now() AT TIME ZONE c.time_zone)::date "
     // a past day that never ran stays NOT_RUNNING for good: nothing to move
     "AND (s.state <> 'NOT_RUNNING' OR s.day = (now() AT TIME ZONE c.time_zone)::date) ORDER BY s.id"},
    {"runner_schedule_move",
     "UPDATE schedules s SET state = $3 FROM campaigns c WHERE s.id = $1 AND s.state = $2 AND c.id = s.campaign_id "
     "AND c.state = 'STARTED'"},
    {"campaigns_finish",
     "UPDATE campaigns c SET state = 'FINISHED', finished_at = now(), updated_at = now() WHERE c.state = 'STARTED' "
     "AND NOT EXISTS (SELECT 1 FROM schedules s WHERE s.campaign_id = c.id AND (s.state IN ('RUNNING', 'DNC_OUT_OF_SERVICE') "
     // a day that never ran (NOT_RUNNING past its end) is not left to run
     "OR (s.state = 'NOT_RUNNING' AND s.day + s.end_time > (now() AT TIME ZONE c.time_zone)))) RETURNING c.id"},
    {"runner_campaigns",
     "SELECT c.id, c.name, c.description, c.group_id, c.state, c.start_date::text AS start_date, "
     "c.end_date::text AS end_date, to_char(c.start_time, 'HH24:MI:SS') AS start_time, "
     "to_char(c.end_time, 'HH24:MI:SS') AS end_time, c.weekdays, c.time_zone, c.pilot_number, c.kind, c.queue, "
     "c.max_attempts, c.retry_minutes, c.retry_rules::text AS retry_rules, c.amd_enabled, "
     "c.amd_params::text AS amd_params, c.voicemail_prompt_id, c.dnc_service_id, c.dnc_list_id, c.dial_prefix, "
     "c.caller_id, c.max_concurrent, c.fixed_channels, c.free_agents, c.dial_every_number, c.trunk_group, "
     "d.url AS dnc_url, d.timeout_ms AS dnc_timeout_ms, c.default_region, c.internal_length, "
     "c.recording_percent, c.recording_channels, c.recording_retention_days, " CALLING_HOURS_COLS("c.") ", "
     "c.dialing_mode, c.power_lines, c.abandon_cap, c.count_amd_false_positives, c.guaranteed_agent, "
     "c.identification_prompt_id, "
     "d.bearer_token AS dnc_token, s.id AS schedule_id, s.state AS schedule_state, dl.version AS dnc_list_version, "
     "(SELECT count(*) FROM call_attempts a WHERE a.campaign_id = c.id AND a.state = 'DIALING')::int AS active "
     "FROM campaigns c JOIN schedules s ON s.campaign_id = c.id AND s.day = (now() AT TIME ZONE c.time_zone)::date "
     "LEFT JOIN dnc_services d ON d.id = c.dnc_service_id LEFT JOIN dnc_lists dl ON dl.id = c.dnc_list_id "
     "WHERE c.state = 'STARTED' AND s.state IN ('RUNNING', 'DNC_OUT_OF_SERVICE') ORDER BY c.id"},
    // The claim order, in three steps (each an index range; claim_leads runs them in turn):
    // callbacks due, then retries due (oldest due time first: a retry that fell after
    // yesterday's hours is called as soon as today's start), then never-called leads by id.
    // The number dialed is the lead's current one (phone_index: 0 phone, k extra_phones[k]).
#define CLAIMED_COLS                                                                                        \
  "id, CASE WHEN phone_index BETWEEN 1 AND cardinality(extra_phones) THEN extra_phones[phone_index] "       \
  "ELSE phone END AS phone, attempts, phone_index, 1 + cardinality(extra_phones) AS numbers, round, "            \
  "CASE WHEN callback_at IS NOT NULL THEN callback_agent END AS callback_agent"
#define DUE_LEAD "campaign_id = $1 AND NOT in_progress AND NOT done " IN_CALLING_HOURS
// The campaign's calling hours hold in every zone of the lead (0019_calling_hours.sql): leads
// outside their window wait. The campaign's settings and the zones open now are computed once
// per statement (uncorrelated subqueries: InitPlans); each lead costs one array test.
#define CALLING_HOURS_OF_1(EXPR) "(SELECT " EXPR " FROM campaigns WHERE id = $1)"
#define IN_CALLING_HOURS                                                                                         \
  "AND (" CALLING_HOURS_OF_1("calling_start") " IS NULL OR CASE WHEN cardinality(time_zones) > 0 THEN "         \
  "time_zones <@ " CALLING_HOURS_OF_1("hark_open_zones(calling_start, calling_end, now(), lead_zones)") " ELSE "            \
  CALLING_HOURS_OF_1("hark_window_holds((now() AT TIME ZONE time_zone)::time, calling_start, calling_end)") " END) "
    {"leads_claim_callbacks",
     "UPDATE leads SET in_progress = true WHERE id IN (SELECT id FROM leads WHERE " DUE_LEAD
     "AND callback_at <= now() ORDER BY callback_at, id LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING " CLAIMED_COLS},
    {"leads_claim_retries",
     "UPDATE leads SET in_progress = true WHERE id IN (SELECT id FROM leads WHERE " DUE_LEAD
     "AND next_attempt_at <= now() AND callback_at IS NULL ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED) "
     "RETURNING " CLAIMED_COLS},
    {"leads_claim_new",
     "UPDATE leads SET in_progress = true WHERE id IN (SELECT id FROM leads WHERE " DUE_LEAD
     "AND next_attempt_at IS NULL ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING " CLAIMED_COLS},
    // Due leads looked at without claiming them: the numbers to ask a do-not-call service about
    // before the claim, so the claim's row lock is never held across a slow service. Same order.
    {"leads_due_peek",
     "(SELECT " CLAIMED_COLS ", 0 AS step, callback_at AS due FROM leads WHERE " DUE_LEAD
     "AND callback_at <= now() ORDER BY callback_at, id LIMIT $2) UNION ALL "
     "(SELECT " CLAIMED_COLS ", 1, next_attempt_at FROM leads WHERE " DUE_LEAD
     "AND next_attempt_at <= now() AND callback_at IS NULL ORDER BY next_attempt_at, id LIMIT $2) UNION ALL "
     "(SELECT " CLAIMED_COLS ", 2, NULL FROM leads WHERE " DUE_LEAD "AND next_attempt_at IS NULL ORDER BY id LIMIT $2) "
     "ORDER BY step, due, id LIMIT $2"},
    {"leads_claim_ids",
     "UPDATE leads SET in_progress = true WHERE id IN (SELECT id FROM leads WHERE campaign_id = $1 "
     "AND id = ANY($2::bigint[]) AND NOT in_progress AND NOT done AND (next_attempt_at IS NULL OR next_attempt_at <= now()) "
     IN_CALLING_HOURS
     "ORDER BY id FOR UPDATE SKIP LOCKED) RETURNING " CLAIMED_COLS},
    // Preview (issue 18): the leads agents accepted, with who accepted them.
    {"leads_claim_preview",
     "UPDATE leads SET in_progress = true, preview_accepted = false, preview_until = NULL WHERE id IN (SELECT id FROM leads "
     "WHERE campaign_id = $1 AND preview_accepted AND NOT in_progress AND NOT done ORDER BY id LIMIT $2 "
     "FOR UPDATE SKIP LOCKED) RETURNING " CLAIMED_COLS ", preview_agent"},
    // An agent asks for a lead: one due lead (callbacks, retries, new; as the claim orders them)
    // reserved for it for $3 seconds; the agent's own reserved lead again if it has one.
    {"preview_next",
     "UPDATE leads SET preview_agent = $2, preview_until = now() + make_interval(secs => $3) WHERE id = ("
     "SELECT id FROM leads WHERE campaign_id = $1 AND NOT in_progress AND NOT done AND NOT disabled "
     "AND NOT preview_accepted AND (next_attempt_at IS NULL OR next_attempt_at <= now()) "
     "AND (preview_until IS NULL OR preview_until < now() OR preview_agent = $2) "
     "ORDER BY (preview_agent = $2 AND preview_until >= now()) IS NOT TRUE, callback_at IS NULL, callback_at, "
     "next_attempt_at IS NULL, next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING " LEAD_COLS},
    {"preview_accept",
     "UPDATE leads SET preview_accepted = true WHERE campaign_id = $1 AND id = $2 AND preview_agent = $3 "
     "AND preview_until >= now() AND NOT in_progress AND NOT done RETURNING id"},
    // Skipped: not offered again for $4 minutes (the campaign's retry time).
    {"preview_skip",
     "UPDATE leads SET preview_agent = NULL, preview_until = NULL, next_attempt_at = now() + make_interval(mins => $4) "
     "WHERE campaign_id = $1 AND id = $2 AND preview_agent = $3 AND NOT preview_accepted AND NOT in_progress RETURNING id"},
    {"campaign_lock_active",
     "SELECT (SELECT count(*) FROM call_attempts a WHERE a.campaign_id = c.id AND a.state = 'DIALING')::int "
     "FROM campaigns c WHERE c.id = $1 FOR UPDATE"},
    {"leads_release", "UPDATE leads SET in_progress = false WHERE id = ANY($1::bigint[])"},
    {"attempt_insert_dialing",
     "INSERT INTO call_attempts (campaign_id, lead_id, number, instance_id, dialed_at, round) "
     "VALUES ($1, $2, $3, $4, clock_timestamp(), $5) RETURNING id"},
    {"attempt_insert_dnc",
     "INSERT INTO call_attempts (campaign_id, lead_id, number, state, ended_at, result, cause, instance_id, round) "
     "VALUES ($1, $2, $3, 'DONE', now(), 'DNC', 'on the do-not-call list', $4, $5)"},
    {"lead_mark_dnc",
     "UPDATE leads SET status = 'DNC', done = true, in_progress = false, attempts = attempts + 1, "
     "last_attempt_at = now(), next_attempt_at = NULL, callback_at = NULL WHERE id = $1"},
    {"schedule_set_state", "UPDATE schedules SET state = $2 WHERE id = $1 AND state <> 'FINISHED'"},
    {"attempt_finish",
     "UPDATE call_attempts SET state = 'DONE', ended_at = clock_timestamp(), "
     "answered_at = CASE WHEN $2 THEN now() - make_interval(secs => $3) END, sip_code = $4, sip_reason = $5, "
     "amd_verdict = $6, amd_cause = $7, amd_ms = $8, result = $9, cause = $10, charged = $11, amd_late_cause = $12, "
     "trunk = $13, failed_over = $14::text[] "
     "WHERE id = $1 AND state = 'DIALING'"},
    // Click-to-dial (control/api/api_click_to_dial.cpp): one lead taken for one call on request.
    {"lead_take_for_click",
     "UPDATE leads SET in_progress = true WHERE id = $1 AND campaign_id = $2 AND NOT in_progress "
     "RETURNING attempts, round"},
    {"click_campaign_ensure",
     "INSERT INTO campaigns (name, description, group_id, start_date, end_date, start_time, end_time, pilot_number, "
     "amd_enabled) VALUES ('click-to-dial (group ' || $1::bigint || ')', 'agent-first click-to-dial calls without a "
     "campaign (made by hark; never started)', $1, current_date, current_date, '00:00', '23:59', '', false) "
     "ON CONFLICT (name) DO NOTHING"},
    {"click_campaign_get",
     "SELECT id FROM campaigns WHERE group_id = $1 AND name = 'click-to-dial (group ' || $1::bigint || ')'"},
    {"click_lead_insert",
     "INSERT INTO leads (campaign_id, name, phone, phone_raw, done, fields) "
     "VALUES ($1, $2, $3, $4, true, '{\"source\": \"click-to-dial\"}'::jsonb) RETURNING id"},
    {"click_lead_campaign", "SELECT campaign_id FROM leads WHERE id = $1"},
    {"click_dnc_listed",
     "SELECT 1 FROM dnc_numbers WHERE list_id = $1 AND (number = $2 OR number = ltrim($2, '+')) LIMIT 1"},
    {"lead_finish",
     "UPDATE leads SET status = $2, attempts = attempts + CASE WHEN $5 THEN 1 ELSE 0 END, last_attempt_at = now(), "
     "in_progress = false, done = $3, phone_index = $6, callback_at = NULL, "
     "next_attempt_at = CASE WHEN $3 THEN NULL ELSE now() + make_interval(secs => $4) END WHERE id = $1"},

    // ---- lead lifecycle: single leads, recycling, callbacks, clones (api_lead_lifecycle.cpp) ----
    {"campaign_set_lead_options", "UPDATE campaigns SET dial_every_number = $2 WHERE id = $1"},
    {"lead_insert_one",
     "INSERT INTO leads (campaign_id, name, phone, extra_phones, description, external_id, fields, phone_raw) "
     "VALUES ($1, $2, $3, $4::text[], $5, $6, $7::jsonb, $8) RETURNING " LEAD_COLS},
    {"lead_delete", "DELETE FROM leads WHERE campaign_id = $1 AND id = $2 AND NOT in_progress RETURNING id"},
    {"lead_set_disabled",
     "UPDATE leads SET disabled = $3, "
     "done = CASE WHEN $3 THEN true ELSE status IN ('SUCCESS', 'DNC') END "
     "WHERE campaign_id = $1 AND id = $2 AND NOT in_progress RETURNING " LEAD_COLS},
    // Same campaign: the chosen leads are due again from their first number, in a new round;
    // their call log stays. `status <> 'NOT_CALLED'` (the route never recycles it) lets the
    // planner use leads_status, which leaves NOT_CALLED out (0020_lead_index_slimming.sql).
    {"leads_recycle_same",
     "UPDATE leads SET status = 'NOT_CALLED', attempts = 0, done = false, next_attempt_at = NULL, phone_index = 0, "
     "callback_at = NULL, callback_agent = NULL, round = round + 1 "
     "WHERE campaign_id = $1 AND status = ANY($2::text[]) AND status <> 'NOT_CALLED' AND NOT disabled AND NOT in_progress"},
    // New campaign: copies linked to their origin; one row per contact and campaign (a copy of
    // a copy names the same root lead, and leads_one_per_contact refuses a second one). The
    // target is the campaign the route creates in the same transaction, so no row can conflict:
    // a plain INSERT (an ON CONFLICT DO NOTHING cost ~35% more backend CPU for its speculative
    // insertions, recycle_bench) and a conflict would be a bug the unique index reports.
    {"leads_recycle_copy",
     "INSERT INTO leads (campaign_id, name, phone, extra_phones, description, external_id, fields, origin_lead_id, "
     "root_lead_id, round, time_zones) SELECT $2, name, phone, extra_phones, description, external_id, fields, id, "
     "COALESCE(root_lead_id, id), round + 1, time_zones FROM leads WHERE campaign_id = $1 AND status = ANY($3::text[]) "
     "AND status <> 'NOT_CALLED' AND NOT disabled ORDER BY id"},
    {"lead_set_callback",
     "UPDATE leads SET callback_at = $3::timestamptz, callback_agent = $4, next_attempt_at = $3::timestamptz, "
     "done = false WHERE campaign_id = $1 AND id = $2 AND NOT disabled AND NOT in_progress RETURNING " LEAD_COLS},
    // Whether `at` falls inside one of the campaign's schedule days, in the campaign's time zone.
    {"callback_in_hours",
     "SELECT count(*) FROM schedules s JOIN campaigns c ON c.id = s.campaign_id WHERE s.campaign_id = $1 "
     "AND s.state <> 'FINISHED' AND s.day = ($2::timestamptz AT TIME ZONE c.time_zone)::date "
     "AND ($2::timestamptz AT TIME ZONE c.time_zone)::time >= s.start_time "
     "AND ($2::timestamptz AT TIME ZONE c.time_zone)::time < s.end_time"},
    {"schedules_copy",
     "INSERT INTO schedules (campaign_id, day, start_time, end_time) SELECT $2, day, start_time, end_time "
     "FROM schedules WHERE campaign_id = $1 AND day >= $3::date ON CONFLICT (campaign_id, day) DO NOTHING"},
    {"lead_rounds", "SELECT round, count(*) FROM leads WHERE campaign_id = $1 GROUP BY round ORDER BY round"},
    {"lead_callbacks_pending", "SELECT count(*) FROM leads WHERE campaign_id = $1 AND callback_at IS NOT NULL AND NOT done"},
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
    {"inbound_call_insert",
     "INSERT INTO inbound_calls (caller_raw, caller, called, kind, target, trunk, campaign_id, lead_ids, instance_id) "
     "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::bigint[], $9) RETURNING id"},
    {"inbound_attempt_insert",
     "INSERT INTO call_attempts (campaign_id, lead_id, lead_ids, number, state, ended_at, sip_code, sip_reason, cause, "
     "instance_id, trunk, charged, direction) "
     "VALUES ($1, $2, $3::bigint[], $4, 'DONE', now(), $5, $6, $7, $8, $9, false, 'inbound')"},
    // GET /leads?phone=: the leads of the caller's groups' campaigns with that number.
    {"leads_by_phone",
     "SELECT l.campaign_id, c.name AS campaign, " LEAD_COLS_L " FROM leads l JOIN campaigns c ON c.id = l.campaign_id "
     "WHERE c.group_id = ANY($2::bigint[]) "
     "AND (l.phone = $1 OR l.phone = ltrim($1, '+') OR (l.extra_phones <> '{}' AND l.extra_phones @> ARRAY[$1]::text[])) "
     "ORDER BY l.last_attempt_at DESC NULLS LAST, l.id DESC LIMIT $3"},
    {"leads_disabled", "SELECT count(*) FROM leads WHERE campaign_id = $1 AND disabled"},

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
    // The reply channel scoped by schema, as sql::scoped_channel(kReplyChannel) names it.
    {"call_command_reply_notify",
     "SELECT pg_notify(left('hark_call_replies.' || coalesce(current_schema(), ''), 63), $1::text)"},
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
    // ---- calling hours (0019_calling_hours.sql; sql/calling_hours_store.cpp) ----
    {"leads_without_zones",
     "SELECT id, phone, extra_phones FROM leads WHERE campaign_id = $1 AND time_zones IS NULL AND id > $2 ORDER BY id LIMIT $3"},
    {"campaign_record_lead_zones",
     "UPDATE campaigns SET lead_zones = (SELECT COALESCE(array_agg(DISTINCT z ORDER BY z), '{}') FROM leads, "
     "unnest(time_zones) AS z WHERE campaign_id = $1 AND NOT done) WHERE id = $1"},
    {"leads_set_zones",
     "UPDATE leads l SET time_zones = u.z::text[] FROM unnest($1::bigint[], $2::text[]) AS u(id, z) WHERE l.id = u.id"},
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
     "FROM webhooks w LEFT JOIN call_attempts a ON a.id = $2 LEFT JOIN leads l ON l.id = a.lead_id "
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

std::span<const Statement> statements() { return kStatements; }

}  // namespace hark::sql
