// Every SQL statement hark runs, by name. Each pooled connection prepares them all, so a
// typo fails at start-up, user input only ever travels as parameters, and the server plans
// each statement once per connection. This file: users, groups, campaigns and schedules,
// agents, prompts, do-not-call, the runner's campaign reads; the leads' statements are in
// statements_leads.cpp, the calls' in statements_calls.cpp (sql/statement_parts.h).
#include <vector>

#include "sql/statement_parts.h"

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
    {"campaign_lock_active",
     "SELECT (SELECT count(*) FROM call_attempts a WHERE a.campaign_id = c.id AND a.state = 'DIALING')::int "
     "FROM campaigns c WHERE c.id = $1 FOR UPDATE"},
    {"schedule_set_state", "UPDATE schedules SET state = $2 WHERE id = $1 AND state <> 'FINISHED'"},
    {"click_campaign_ensure",
     "INSERT INTO campaigns (name, description, group_id, start_date, end_date, start_time, end_time, pilot_number, "
     "amd_enabled) VALUES ('click-to-dial (group ' || $1::bigint || ')', 'agent-first click-to-dial calls without a "
     "campaign (made by hark; never started)', $1, current_date, current_date, '00:00', '23:59', '', false) "
     "ON CONFLICT (name) DO NOTHING"},
    {"click_campaign_get",
     "SELECT id FROM campaigns WHERE group_id = $1 AND name = 'click-to-dial (group ' || $1::bigint || ')'"},
    {"click_dnc_listed",
     "SELECT 1 FROM dnc_numbers WHERE list_id = $1 AND (number = $2 OR number = ltrim($2, '+')) LIMIT 1"},

    // ---- lead lifecycle: single leads, recycling, callbacks, clones (api_lead_lifecycle.cpp) ----
    {"campaign_set_lead_options", "UPDATE campaigns SET dial_every_number = $2 WHERE id = $1"},
    // Whether `at` falls inside one of the campaign's schedule days, in the campaign's time zone.
    {"callback_in_hours",
     "SELECT count(*) FROM schedules s JOIN campaigns c ON c.id = s.campaign_id WHERE s.campaign_id = $1 "
     "AND s.state <> 'FINISHED' AND s.day = ($2::timestamptz AT TIME ZONE c.time_zone)::date "
     "AND ($2::timestamptz AT TIME ZONE c.time_zone)::time >= s.start_time "
     "AND ($2::timestamptz AT TIME ZONE c.time_zone)::time < s.end_time"},
    {"schedules_copy",
     "INSERT INTO schedules (campaign_id, day, start_time, end_time) SELECT $2, day, start_time, end_time "
     "FROM schedules WHERE campaign_id = $1 AND day >= $3::date ON CONFLICT (campaign_id, day) DO NOTHING"},
};

}  // namespace

std::span<const Statement> core_statements() { return kStatements; }

std::span<const Statement> statements() {
  static const std::vector<Statement> all = [] {
    std::vector<Statement> v;
    for (auto part : {core_statements(), lead_statements(), call_statements()}) v.insert(v.end(), part.begin(), part.end());
    return v;
  }();
  return all;
}

}  // namespace hark::sql
