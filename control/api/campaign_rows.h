// Campaign rows as the campaign and schedule routes read and write them (campaign_scope.cpp).
#pragma once

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include <optional>

#include "control/api/control_api.h"
#include "control/campaign/campaign_settings.h"
#include "control/campaign/lead_csv.h"

namespace hark::control {

/// A campaigns row (settings, state, free agents, timestamps) as the API shows it.
boost::json::object campaign_json(const pqxx::row& row);

/// Runs `stmt` (campaign_insert, or campaign_update with `id`) with the settings' columns.
/// The campaign row's number settings (defaultRegion, internalLength) into `o`.
void number_settings(const pqxx::row& campaign, LeadCsvOptions& o);

pqxx::result write_campaign_columns(pqxx::transaction_base& tx, const char* stmt, std::optional<long long> id,
                                    const CampaignSettings& c, const std::string& rules, const std::string& amd);
/// Runs `stmt` (campaign_insert, or campaign_update with `id`) with every setting of `c`.
pqxx::result write_campaign(pqxx::transaction_base& tx, const char* stmt, std::optional<long long> id,
                            const CampaignSettings& c);

/// Checks a campaign's references before it is written: the caller's group (enabled when
/// `group_changed`), the time zone, the do-not-call source and the voicemail prompt.
void check_references(pqxx::transaction_base& tx, const ApiContext& ctx, const CampaignSettings& c, bool group_changed);

/// A leads row as the API shows it (api_leads.cpp).
boost::json::object lead_json(const pqxx::row& row);

/// Adds byRound, callbacksPending and disabled to a campaign summary's "leads" (api_lead_lifecycle.cpp).
void add_lead_lifecycle_summary(pqxx::transaction_base& tx, long long campaign_id, boost::json::object& leads);

/// A campaign's abandon rates over 30 days and 24 hours with their counts (api_agents.cpp).
boost::json::object abandon_summary(pqxx::transaction_base& tx, long long campaign_id, bool count_amd_fp);

/// The scope's campaign row, locked for update; 409 when it is running and `must_be_stopped`.
pqxx::row lock_campaign(CampaignScope& c, bool must_be_stopped);

/// Every schedule day of campaign `id`.
boost::json::array schedules_json(pqxx::transaction_base& tx, long long id);

}  // namespace hark::control
