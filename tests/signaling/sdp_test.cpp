#include "signaling/sdp.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>

#include "signaling/outcome.h"

using namespace hark;
using namespace hark::signaling;

TEST(Sdp, OurOfferParsesBackToItself) {
  LocalMedia m;
  m.ip = "10.1.2.3";
  m.port = 20000;
  m.srtp = true;
  m.key = media::srtp_random_key();
  const std::string sdp = build_sdp(m);
  EXPECT_NE(sdp.find("m=audio 20000 RTP/SAVP 0 8 101"), std::string::npos) << sdp;
  EXPECT_NE(sdp.find("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"), std::string::npos);
  PeerMedia p;
  ASSERT_EQ(parse_peer_sdp(sdp, p), "");
  EXPECT_EQ(p.payload_type, 0);
  EXPECT_EQ(p.dtmf_payload_type, 101);
  EXPECT_TRUE(p.srtp);
  EXPECT_EQ(std::memcmp(p.key.bytes, m.key.bytes, 30), 0);
  const auto& a = reinterpret_cast<const sockaddr_in&>(p.addr);
  EXPECT_EQ(ntohs(a.sin_port), 20000);
  char ip[32];
  inet_ntop(AF_INET, &a.sin_addr, ip, sizeof ip);
  EXPECT_STREQ(ip, "10.1.2.3");
}

TEST(Sdp, PicksThePeersFirstG711AndMediaLevelAddress) {
  const char* sdp =
      "v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\ns=-\r\nc=IN IP4 1.1.1.1\r\nt=0 0\r\n"
      "m=audio 4000 RTP/AVP 18 8 0 96\r\nc=IN IP4 2.2.2.2\r\na=rtpmap:18 G729/8000\r\n"
      "a=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:96 telephone-event/8000\r\na=rtcp-mux\r\n";
  PeerMedia p;
  ASSERT_EQ(parse_peer_sdp(sdp, p), "");
  EXPECT_EQ(p.payload_type, 8);
  EXPECT_EQ(p.dtmf_payload_type, 96);
  EXPECT_TRUE(p.rtcp_mux);
  EXPECT_EQ(reinterpret_cast<const sockaddr_in&>(p.addr).sin_addr.s_addr, inet_addr("2.2.2.2"));
}

TEST(Sdp, BadAnswersAreNamed) {
  PeerMedia p;
  EXPECT_EQ(parse_peer_sdp("", p), "no SDP body");
  EXPECT_EQ(parse_peer_sdp("this is not sdp", p), "SDP line 1 is not of the form <type>=<value>");
  EXPECT_NE(parse_peer_sdp("v=0\r\nm=audio\r\n", p).find("not a media line"), std::string::npos);
  const std::string head = "v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\ns=-\r\nc=IN IP4 1.1.1.1\r\nt=0 0\r\n";
  EXPECT_EQ(parse_peer_sdp(head + "m=video 4000 RTP/AVP 96\r\n", p), "SDP has no audio stream");
  EXPECT_EQ(parse_peer_sdp(head + "m=audio 0 RTP/AVP 0\r\n", p), "the audio stream is rejected (port 0)");
  EXPECT_EQ(parse_peer_sdp(head + "m=audio 4000 RTP/AVP 18 9\r\na=rtpmap:18 G729/8000\r\na=rtpmap:9 G722/8000\r\n", p),
            "no common codec: the peer offers only G729,G722");
  EXPECT_EQ(parse_peer_sdp(head + "m=audio 4000 RTP/SAVP 0\r\n", p), "SRTP without an AES_CM_128_HMAC_SHA1_80 inline key");
  EXPECT_NE(parse_peer_sdp("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 host.example\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n", p)
                .find("not an IP address"), std::string::npos);
}

// Found by fuzz/sdp_fuzz: sofia-sip's parser asked for 2 GiB on bytes >= 0x80 in an m= line.
// Such bytes are refused by line before sofia sees them; UTF-8 in the free-text s= line is kept.
TEST(Sdp, BytesThatAreNotTextAreRefusedByLine) {
  PeerMedia p;
  const std::string crash = std::string("v=0\r\no=- 1 1 IN IP6 ::1\r\ns=-\r\nc=IN IP6 ::1\r\nt=0 0\r\n") +
                            "m=udio 10002 RTP*HA1_S_CM_128_\xff\xffGVz|2^20|1";
  EXPECT_EQ(parse_peer_sdp(crash, p), "SDP line 6 holds a byte that is not text (0xff)");
  // And over 4 GiB for a format starting with ':' after an unknown transport.
  const std::string head = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\n";
  EXPECT_EQ(parse_peer_sdp(head + "m=audio 10002 X :\r\n", p),
            "SDP line 6 is not a media line of the form m=<media> <port> <transport> <formats>");
  EXPECT_EQ(parse_peer_sdp(head + "m=audio 10002 RTP/AVP 0 8 101\r\n", p), "");
  // sofia allocated without end on a port with a second slash and an empty transport token
  // (the fuzzer's input, "m=a 10/0////////// RT//PAVP 79"): a port is <port>[/<count>], a
  // transport tokens joined by single slashes.
  for (const char* m : {"m=a 10/0////////// RT//PAVP 79", "m=a 10/0/ RTP/AVP 0", "m=a 10// RTP/AVP 0",
                        "m=a /2 RTP/AVP 0", "m=a 10/ RTP/AVP 0", "m=a 10 RT//PAVP 79"})
    EXPECT_EQ(parse_peer_sdp(head + m + "\r\n", p),
              "SDP line 6 is not a media line of the form m=<media> <port> <transport> <formats>")
        << m;
  EXPECT_EQ(parse_peer_sdp(head + "m=audio 10002/2 RTP/AVP 0\r\n", p), "");  // a port count
  // A lone CR ends a line too (sofia reads it so): the m= line behind it is checked.
  EXPECT_EQ(parse_peer_sdp("v=0\r\no=- 1 1 IN IP6 ::1\r\ns=-\r\nc=IN IP6 ::1\rm=audio 10002 RTP/SAVP ::1\r\n", p),
            "SDP line 5 is not a media line of the form m=<media> <port> <transport> <formats>");
  EXPECT_EQ(parse_peer_sdp(head + "m=audio 10002 RTP/AVP 0\n", p), "");  // LF alone is fine
  // sofia skips whitespace before a line's type: a malformed m= line behind a tab asked for
  // gigabytes (the fuzzer's input); every line is <letter>=<value>.
  EXPECT_EQ(parse_peer_sdp("v=0\ro=- 1 1 IN IP4 1f\r\nc=IN IP4 127. 0\r\n\tm=audio 18000 - =;\n", p),
            "SDP line 4 is not of the form <type>=<value>");
  EXPECT_EQ(parse_peer_sdp(head + " m=audio 10002 RTP/AVP 0\r\n", p), "SDP line 6 is not of the form <type>=<value>");
  EXPECT_EQ(parse_peer_sdp(head + "m=audio 10002 RTP/AVP 0\r\n\r\n", p), "");  // an empty line is no line
  const std::string nul = std::string("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n") + '\0' + "\r\n";
  EXPECT_EQ(parse_peer_sdp(nul, p), "SDP line 4 holds a byte that is not text (0x00)");
  const std::string utf8_name =
      "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=S\xc3\xa3o Paulo\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\n"
      "m=audio 1000 RTP/AVP 8\r\n";
  EXPECT_EQ(parse_peer_sdp(utf8_name, p), "");
  EXPECT_EQ(p.payload_type, 8);
}

TEST(Outcome, TheTable) {
  EXPECT_EQ(status_for_sip_code(486), LeadStatus::busy);
  EXPECT_EQ(status_for_sip_code(600), LeadStatus::busy);
  EXPECT_EQ(status_for_sip_code(603), LeadStatus::rejected);
  EXPECT_EQ(status_for_sip_code(480), LeadStatus::no_answer);
  EXPECT_EQ(status_for_sip_code(408), LeadStatus::no_answer);
  for (int c : {500, 502, 503, 504}) EXPECT_EQ(status_for_sip_code(c), LeadStatus::service_temporarily_unavailable);
  for (int c : {404, 410, 484}) EXPECT_EQ(status_for_sip_code(c), LeadStatus::failure);
  EXPECT_EQ(status_for_sip_code(488), LeadStatus::unknown);
  EXPECT_EQ(status_for_answered(amd::Verdict::machine, false), LeadStatus::amd);
  EXPECT_EQ(status_for_answered(amd::Verdict::fax, false), LeadStatus::amd);
  EXPECT_EQ(status_for_answered(amd::Verdict::sit, false), LeadStatus::failure);
  EXPECT_EQ(status_for_answered(amd::Verdict::human, true), LeadStatus::success);
  EXPECT_EQ(status_for_answered(amd::Verdict::human, false), LeadStatus::unknown);
  EXPECT_EQ(to_string(LeadStatus::service_temporarily_unavailable), "SERVICE_TEMPORARILY_UNAVAILABLE");
}

// Issue 16: re-INVITEs. The direction of a stream (RFC 3264 5.1): the stream's attribute, else
// the session's, else sendrecv; c=0.0.0.0 is RFC 2543's hold.
TEST(Sdp, DirectionFromTheStreamOrTheSession) {
  const std::string head = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\n";
  const std::string m = "m=audio 4000 RTP/AVP 0\r\n";
  auto direction = [&](const std::string& session, const std::string& media) {
    PeerMedia p;
    EXPECT_EQ(parse_peer_sdp(head + session + m + media, p), "");
    return p;
  };
  EXPECT_EQ(direction("", "").direction, Direction::sendrecv);
  EXPECT_FALSE(direction("", "").hold);
  EXPECT_EQ(direction("", "a=sendonly\r\n").direction, Direction::sendonly);
  EXPECT_TRUE(direction("", "a=sendonly\r\n").hold);
  EXPECT_FALSE(direction("", "a=sendonly\r\n").wants_our_audio());
  EXPECT_EQ(direction("", "a=recvonly\r\n").direction, Direction::recvonly);
  EXPECT_TRUE(direction("", "a=recvonly\r\n").wants_our_audio());
  EXPECT_EQ(direction("", "a=inactive\r\n").direction, Direction::inactive);
  EXPECT_TRUE(direction("", "a=inactive\r\n").hold);
  EXPECT_EQ(direction("a=inactive\r\n", "").direction, Direction::inactive);
  EXPECT_EQ(direction("a=inactive\r\n", "a=sendrecv\r\n").direction, Direction::sendrecv);
  PeerMedia p;
  ASSERT_EQ(parse_peer_sdp("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n" + m, p), "");
  EXPECT_TRUE(p.null_address);
  EXPECT_TRUE(p.hold);
  EXPECT_FALSE(p.wants_our_audio());
}

TEST(Sdp, AnswerDirectionFollowsRfc3264) {
  EXPECT_EQ(answer_direction(Direction::sendrecv, false), Direction::sendrecv);
  EXPECT_EQ(answer_direction(Direction::sendrecv, true), Direction::sendonly);
  EXPECT_EQ(answer_direction(Direction::sendonly, false), Direction::recvonly);
  EXPECT_EQ(answer_direction(Direction::sendonly, true), Direction::inactive);
  EXPECT_EQ(answer_direction(Direction::recvonly, false), Direction::sendonly);
  EXPECT_EQ(answer_direction(Direction::recvonly, true), Direction::sendonly);
  EXPECT_EQ(answer_direction(Direction::inactive, false), Direction::inactive);
  EXPECT_EQ(answer_direction(Direction::inactive, true), Direction::inactive);
}

TEST(Sdp, OurSdpCarriesItsDirectionAndVersion) {
  LocalMedia m;
  m.port = 4000;
  m.session_id = 7;
  m.version = 3;
  m.direction = Direction::sendonly;
  m.only_payload_type = 8;
  const std::string s = build_sdp(m);
  EXPECT_NE(s.find("o=hark 7 3 IN IP4"), std::string::npos) << s;
  EXPECT_NE(s.find("a=sendonly\r\n"), std::string::npos) << s;
  EXPECT_EQ(s.find("a=sendrecv"), std::string::npos) << s;
  PeerMedia back;
  ASSERT_EQ(parse_peer_sdp(s, back), "");
  EXPECT_EQ(back.direction, Direction::sendonly);
  EXPECT_EQ(back.payload_type, 8);
}
