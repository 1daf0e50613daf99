// The named statements of sql/statements.cpp, by concern, one file each; statements() joins
// them. Internal to sql/.
#pragma once

#include <span>

#include "sql/db_pool.h"

namespace hark::sql {

/// Users, groups, campaigns and their schedules, agents, prompts, do-not-call (statements.cpp).
std::span<const Statement> core_statements();
/// Leads: lists and edits, the runner's claim and finish, recycling, callbacks, inbound
/// look-ups, calling hours (statements_leads.cpp; the tables of 0022_lead_dialing_state.sql).
std::span<const Statement> lead_statements();
/// Attempts, the call log and reports, the calls up and their command bus, webhooks
/// (statements_calls.cpp).
std::span<const Statement> call_statements();

}  // namespace hark::sql
