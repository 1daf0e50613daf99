// The inbound routing decision (control/campaign/inbound_route.h): pure, no SIP, no database.
#include <gtest/gtest.h>

#include "control/campaign/inbound_route.h"

namespace hark::control {
namespace {

InboundSettings settings(std::string default_route = "") {
  InboundSettings s;
  s.default_route = std::move(default_route);
  s.default_region = "US";
  s.internal_length = 4;
  return s;
}

TEST(InboundRoute, CallerIsParsedLikeALeadsPhone) {
  const auto s = settings();
  EXPECT_EQ(parse_caller("+14155550123", s).number, "+14155550123");
  EXPECT_EQ(parse_caller("4155550123", s).number, "+14155550123");   // national, default region
  EXPECT_EQ(parse_caller("14155550123", s).number, "+14155550123");
  EXPECT_FALSE(parse_caller("4155550123", s).internal);
  auto gb = s;
  gb.default_region = "GB";
  EXPECT_EQ(parse_caller("01615527789", gb).number, "+441615527789");
  EXPECT_TRUE(parse_caller("anonymous", s).number.empty());
  EXPECT_TRUE(parse_caller("", s).number.empty());
}

TEST(InboundRoute, CallerUpToTheInternalLengthIsInternal) {
  const auto s = settings("sip:reception@pbx.example");
  const auto c4 = parse_caller("2001", s);
  EXPECT_TRUE(c4.internal);
  EXPECT_EQ(c4.number, "2001");
  const auto c5 = parse_caller("20011", s);
  EXPECT_FALSE(c5.internal);
  // Internal: default route, even when a lead's number is that extension.
  const auto d = decide_inbound(c4, {{7, 1, "5000", 100}}, s);
  EXPECT_EQ(d.kind, InboundKind::internal);
  EXPECT_EQ(d.target, "sip:reception@pbx.example");
  EXPECT_TRUE(d.leads_by_campaign.empty());
}

TEST(InboundRoute, OneMatchingLeadGoesToItsCampaignsPilot) {
  const auto d = decide_inbound(parse_caller("+14155550123", settings("9999")), {{42, 3, "5000", 0}}, settings("9999"));
  EXPECT_EQ(d.kind, InboundKind::lead);
  EXPECT_EQ(d.target, "5000");
  EXPECT_EQ(d.campaign_id, 3);
  ASSERT_EQ(d.leads_by_campaign.size(), 1u);
  EXPECT_EQ(d.leads_by_campaign[0].first, 3);
  EXPECT_EQ(d.leads_by_campaign[0].second, std::vector<long long>({42}));
}

TEST(InboundRoute, SeveralCampaignsTheMostRecentlyAttemptedLeadWins) {
  const CallerNumber c{"+14155550123", false};
  const std::vector<LeadMatch> m = {
      {10, 1, "5001", 2000},  // attempted last: campaign 1 wins
      {11, 2, "5002", 1000},
      {12, 2, "5002", 0},     // never attempted
      {13, 3, "5003", 0},
  };
  const auto d = decide_inbound(c, m, settings());
  EXPECT_EQ(d.campaign_id, 1);
  EXPECT_EQ(d.target, "5001");
  ASSERT_EQ(d.leads_by_campaign.size(), 3u);
  EXPECT_EQ(d.leads_by_campaign[0], (std::pair<long long, std::vector<long long>>{1, {10}}));
  EXPECT_EQ(d.leads_by_campaign[1], (std::pair<long long, std::vector<long long>>{2, {11, 12}}));
  EXPECT_EQ(d.leads_by_campaign[2], (std::pair<long long, std::vector<long long>>{3, {13}}));
}

TEST(InboundRoute, NeverAttemptedLeadsTieOnTheNewestLead) {
  const CallerNumber c{"+14155550123", false};
  const auto d = decide_inbound(c, {{20, 4, "5004", 0}, {21, 5, "5005", 0}}, settings());
  EXPECT_EQ(d.campaign_id, 5);
  EXPECT_EQ(d.target, "5005");
}

TEST(InboundRoute, UnknownCallerGoesToTheDefaultRouteOrNowhere) {
  const CallerNumber c{"+14155550123", false};
  auto d = decide_inbound(c, {}, settings("sip:queue@pbx.example"));
  EXPECT_EQ(d.kind, InboundKind::unknown);
  EXPECT_EQ(d.target, "sip:queue@pbx.example");
  d = decide_inbound(c, {}, settings());
  EXPECT_EQ(d.kind, InboundKind::unknown);
  EXPECT_TRUE(d.target.empty());
  // A caller that is no number never matches, whatever is passed.
  d = decide_inbound(CallerNumber{}, {{1, 1, "5000", 5}}, settings());
  EXPECT_EQ(d.kind, InboundKind::unknown);
  EXPECT_TRUE(d.target.empty());
}

TEST(InboundRoute, CampaignWithoutPilotFallsBackToTheDefaultRoute) {
  const auto d = decide_inbound(CallerNumber{"+14155550123", false}, {{1, 1, "", 5}}, settings("7000"));
  EXPECT_EQ(d.kind, InboundKind::lead);
  EXPECT_EQ(d.target, "7000");
  EXPECT_EQ(d.leads_by_campaign.size(), 1u);
}

}  // namespace
}  // namespace hark::control
