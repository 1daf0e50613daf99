// Webhooks' pure parts (issue 16 part 4): the signer against RFC 4231's HMAC-SHA256 test
// vectors, the retry back-off, the URL checks, and the event payload built from a call event.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "control/webhooks/webhook_backoff.h"
#include "control/webhooks/webhook_http.h"
#include "control/webhooks/webhook_payload.h"
#include "control/webhooks/webhook_signer.h"

using namespace hark;
using namespace hark::control;
namespace json = boost::json;

namespace {

TEST(WebhookSigner, Rfc4231TestVectors) {
  // Test case 1: a 20-byte key of 0x0b, "Hi There".
  EXPECT_EQ(hmac_sha256_hex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2: a key shorter than the block.
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a key longer than the block (131 bytes of 0xaa) is hashed first.
  EXPECT_EQ(hmac_sha256_hex(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(webhook_signature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(WebhookSigner, SecretsAreRandomHex) {
  const auto a = new_webhook_secret(), b = new_webhook_secret();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);
}

TEST(WebhookBackoff, DoublesFromOneSecondToFiveMinutesThenGivesUp) {
  const WebhookRetry r;  // 1 s doubling, 5 min cap, 15 tries
  std::vector<double> waits;
  for (int t = 1; t <= 12; ++t) waits.push_back(webhook_retry_delay_s(t, r));
  EXPECT_EQ(waits, (std::vector<double>{1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300}));
  EXPECT_EQ(webhook_retry_delay_s(1'000'000, r), 300);  // no overflow however many tries
  EXPECT_FALSE(webhook_gives_up(14, r));
  EXPECT_TRUE(webhook_gives_up(15, r));
  const WebhookRetry fast{200, 1000, 3};
  EXPECT_EQ(webhook_retry_delay_s(1, fast), 0.2);
  EXPECT_EQ(webhook_retry_delay_s(3, fast), 0.8);
  EXPECT_EQ(webhook_retry_delay_s(4, fast), 1.0);
  EXPECT_TRUE(webhook_gives_up(3, fast));
}

TEST(WebhookUrl, GoodAndBadUrls) {
  auto u = parse_webhook_url("https://crm.example.com/hooks/hark?x=1");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "crm.example.com");
  EXPECT_EQ(u->port, "443");
  EXPECT_EQ(u->target, "/hooks/hark?x=1");
  u = parse_webhook_url("http://127.0.0.150:8080");
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(u->port, "8080");
  EXPECT_EQ(u->target, "/");
  u = parse_webhook_url("http://[::1]:9000/x");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  for (const char* bad : {"ftp://crm.example.com/", "crm.example.com/hook", "http://", "http:///path",
                          "http://exa mple.com/", "http://crm_example.com/", "http://user:pw@crm.example.com/",
                          "http://crm.example.com:0/", "http://crm.example.com:99999/", "http://crm.example.com:x/",
                          "http://-crm.example.com/", "http://crm..example.com/", "http://[zz]/",
                          "javascript:alert(1)", "HTTP://crm.example.com/"}) {
    std::string why;
    EXPECT_FALSE(parse_webhook_url(bad, &why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
}

TEST(WebhookPayload, EventsOfACall) {
  signaling::CallEvent e;
  e.state = signaling::CallState::ringing;
  EXPECT_FALSE(webhook_event_of(e));
  e.state = signaling::CallState::answered;
  EXPECT_EQ(webhook_event_of(e), "answered");
  e.state = signaling::CallState::verdict;
  EXPECT_FALSE(webhook_event_of(e));  // no verdict yet
  e.has_verdict = true;
  EXPECT_EQ(webhook_event_of(e), "verdict");
  e.state = signaling::CallState::transferring;
  EXPECT_EQ(webhook_event_of(e), "transferred");
  e.state = signaling::CallState::ended;
  EXPECT_EQ(webhook_event_of(e), "ended");
  EXPECT_TRUE(is_webhook_event("ended"));
  EXPECT_FALSE(is_webhook_event("ringing"));
}

TEST(WebhookPayload, CarriesTheCallSipAndAmdDetails) {
  signaling::CallEvent e;
  e.state = signaling::CallState::ended;
  e.answered = true;
  e.sip_code = 200;
  e.sip_reason = "OK";
  e.trunk = "main";
  e.has_verdict = true;
  e.verdict = amd::Verdict::machine;
  e.amd_cause = "beep";
  e.amd_ms = 2300;
  e.outcome = signaling::LeadStatus::amd;
  e.cause = "machine: hung up";
  e.talk_ms = 4500;
  const auto at = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'764'633'600'123LL));
  const auto v = json::parse(webhook_payload("ended", {41, 7, 9, "+12015550100"}, e, at)).as_object();
  EXPECT_EQ(v.at("event"), "ended");
  EXPECT_EQ(v.at("time"), "2025-12-02T00:00:00.123Z");
  EXPECT_EQ(v.at("attemptId"), 41);
  EXPECT_EQ(v.at("campaignId"), 7);
  EXPECT_EQ(v.at("leadId"), 9);
  EXPECT_EQ(v.at("number"), "+12015550100");
  EXPECT_EQ(v.at("answered"), true);
  EXPECT_EQ(v.at("sip").at("code"), 200);
  EXPECT_EQ(v.at("sip").at("trunk"), "main");
  EXPECT_EQ(v.at("amd").at("verdict"), "machine");
  EXPECT_EQ(v.at("amd").at("ms"), 2300);
  EXPECT_EQ(v.at("result"), "AMD");
  EXPECT_EQ(v.at("talkSeconds"), 4.5);
  EXPECT_EQ(v.at("transferred"), false);
  // Abandoned (no agent in 2 s), then put through by a transfer during the identification
  // message: the result says the abandon rate's count, `transferred` that the person got through.
  e.outcome = signaling::LeadStatus::abandoned;
  e.transferred = true;
  const auto t = json::parse(webhook_payload("ended", {41, 7, 9, "+12015550100"}, e, at)).as_object();
  EXPECT_EQ(t.at("result"), "ABANDONED");
  EXPECT_EQ(t.at("transferred"), true);
  // Before a verdict, no amd member; only `ended` has a result.
  signaling::CallEvent a;
  a.state = signaling::CallState::answered;
  const auto w = json::parse(webhook_payload("answered", {1, 2, 3, "5000"}, a, at)).as_object();
  EXPECT_FALSE(w.contains("amd"));
  EXPECT_FALSE(w.contains("result"));
  EXPECT_FALSE(w.contains("transferred"));
  EXPECT_EQ(w.at("answered"), true);
  EXPECT_TRUE(w.at("sip").at("code").is_null());
}

}  // namespace
