#include "control/campaign/lead_csv.h"

#include <gtest/gtest.h>

#include <cctype>

using namespace hark::control;

TEST(LeadCsv, SimpleNamePhoneForm) {
  const auto r = parse_lead_csv("Maria Rodriguez, 554133015031\r\nJohn Smith,+1 (201) 555-0123\n\n");
  EXPECT_FALSE(r.had_header);
  ASSERT_EQ(r.leads.size(), 2u);
  EXPECT_EQ(r.leads[0].name, "Maria Rodriguez");
  EXPECT_EQ(r.leads[0].phone, "+554133015031");  // international without '+' (the reference's form)
  EXPECT_EQ(r.leads[0].phone_raw, "554133015031");
  EXPECT_EQ(r.leads[1].phone, "+12015550123");
  EXPECT_EQ(r.leads[1].phone_raw, "+1 (201) 555-0123");
  EXPECT_EQ(r.leads[1].line, 2);
  EXPECT_TRUE(r.errors.empty());
}

TEST(LeadCsv, HeaderWithNamedColumnsQuotesAndExtraFields) {
  const auto r = parse_lead_csv(
      "External ID,Name,Phone,Phone2,Description,City\n"
      "A1,\"Smith, John\",2015551234,2015557654,\"said \"\"call later\"\"\",Leeds\n"
      "A2,\"Two\nLines\",2015551112,,,\n"
      "A3,Ana,2015553334,,,Porto\n");
  EXPECT_TRUE(r.had_header);
  ASSERT_EQ(r.leads.size(), 3u) << (r.errors.empty() ? "" : r.errors[0].reason);
  EXPECT_EQ(r.leads[0].name, "Smith, John");
  EXPECT_EQ(r.leads[0].external_id, "A1");
  EXPECT_EQ(r.leads[0].extra_phones, std::vector<std::string>{"+12015557654"});
  EXPECT_EQ(r.leads[0].description, "said \"call later\"");
  EXPECT_EQ(r.leads[0].fields_json, "{\"City\":\"Leeds\"}");
  EXPECT_EQ(r.leads[1].name, "Two\nLines");
  EXPECT_EQ(r.leads[2].line, 5);  // the quoted line break moved it down a line
}

TEST(LeadCsv, BadRowsAreReportedByLineAndGoodOnesKept) {
  const auto r = parse_lead_csv(
      "name,phone,external_id\n"
      "ok1,2015550001,x1\n"
      "no phone,,x2\n"
      "bad phone,12345,x3\n"
      "bad utf8 \xff\xfe,2015550004,x4\n"
      "dup id,2015550005,x1\n"
      "too,many,fields,here\n"
      "ok2,2015550007,x7\n");
  ASSERT_EQ(r.leads.size(), 2u);
  EXPECT_EQ(r.leads[1].name, "ok2");
  ASSERT_EQ(r.errors.size(), 5u);
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_EQ(r.errors[0].reason, "no phone number");
  EXPECT_EQ(r.errors[1].line, 4);
  EXPECT_EQ(r.errors[1].reason, "phone '12345' is too short for US");
  EXPECT_EQ(r.errors[2].reason, "invalid UTF-8");
  EXPECT_NE(r.errors[3].reason.find("repeats an earlier row"), std::string::npos);
  EXPECT_EQ(r.errors[4].line, 7);
}

TEST(LeadCsv, SkipOptions) {
  const std::string csv = "a,2015550001\nb,\nc,(201) 555-0001\nd,2015550002\n";  // a and c: one number
  const auto strict = parse_lead_csv(csv);
  EXPECT_EQ(strict.leads.size(), 3u);  // duplicates are kept unless asked
  EXPECT_EQ(strict.errors.size(), 1u);
  LeadCsvOptions o;
  o.skip_duplicate_phones = o.skip_rows_without_phone = true;
  const auto r = parse_lead_csv(csv, o);
  EXPECT_EQ(r.leads.size(), 2u);
  EXPECT_EQ(r.skipped_duplicates, 1);
  EXPECT_EQ(r.skipped_without_phone, 1);
  EXPECT_TRUE(r.errors.empty());
}

TEST(LeadCsv, UnterminatedQuoteEndsWithAnErrorAndKeepsEarlierRows) {
  const auto r = parse_lead_csv("a,2015550001\n\"b,2015550002\nc,2015550003\n");
  ASSERT_EQ(r.leads.size(), 1u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 2);
  EXPECT_EQ(r.errors[0].reason, "unterminated quoted field");
}

TEST(LeadCsv, Utf8Validation) {
  EXPECT_TRUE(valid_utf8("José Müller 東京 🙂"));
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(valid_utf8("\xe2\x82"));          // truncated
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
}

// Read a batch at a time (as the upload does while COPY runs), the result is the whole-file one:
// line numbers, duplicates and errors carry across batch boundaries.
TEST(LeadCsv, ReadingInBatchesGivesTheWholeFileResult) {
  const std::string csv =
      "name,phone,external id\n"
      "a,2015550001,x1\n"
      "b,,x2\n"
      "c,2015550001,x3\n"
      "\"d\nwith a line break\",2015550004,x1\n"
      "e,2015550005,x5\n"
      "f,2015550006,x6\n";
  LeadCsvOptions o;
  o.skip_duplicate_phones = true;
  const auto whole = parse_lead_csv(csv, o);
  LeadCsvReader reader(csv, o);
  LeadCsvResult acc;
  std::vector<Lead> all;
  int batches = 0;
  for (bool more = true; more; ++batches) {
    more = reader.next(acc, 1);
    EXPECT_LE(acc.leads.size(), 1u);
    for (auto& l : acc.leads) all.push_back(l);
    acc.leads.clear();
  }
  EXPECT_TRUE(reader.had_header());
  EXPECT_GE(batches, 3);
  ASSERT_EQ(all.size(), whole.leads.size());
  ASSERT_EQ(all.size(), 3u);  // a, e, f
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].name, whole.leads[i].name);
    EXPECT_EQ(all[i].line, whole.leads[i].line);
  }
  EXPECT_EQ(all[1].line, 7);  // after the quoted line break on lines 5-6
  EXPECT_EQ(acc.skipped_duplicates, 1);  // c
  ASSERT_EQ(acc.errors.size(), 2u);      // b: no phone; d: repeated external id
  EXPECT_EQ(acc.errors[0].line, 3);
  EXPECT_EQ(acc.errors[1].line, 5);
  EXPECT_EQ(acc.errors.size(), whole.errors.size());
}

// A NUL byte (PostgreSQL text cannot hold one) rejects its row by line, in any column; the other
// rows are kept (issue 13: one NUL failed the whole upload with no line number).
TEST(LeadCsv, ANulByteRejectsOnlyItsRow) {
  using namespace std::string_literals;
  const auto r = parse_lead_csv("name,phone,city\n"
                                "ok1,2015550001,Leeds\n"
                                "nul \0in name,2015550002,Leeds\n"
                                "ok3,2015550003,Po\0rto\n"
                                "ok4,2015550004,\"quoted\0\"\n"
                                "ok5,2015550005,Porto\n"s);
  ASSERT_EQ(r.leads.size(), 2u);
  EXPECT_EQ(r.leads[0].name, "ok1");
  EXPECT_EQ(r.leads[1].name, "ok5");
  ASSERT_EQ(r.errors.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(r.errors[i].line, int(i) + 3);
    EXPECT_EQ(r.errors[i].reason, "contains a NUL byte");
  }
}

// A text of bad rows keeps only the first rows in full and counts the rest by kind, however
// many batches it is read in (issue 13: 4 MB of ",\n" rows cost +840 MB).
TEST(LeadCsv, RejectedRowsBeyondTheReportLimitAreOnlyCounted) {
  std::string text;
  for (int i = 0; i < 200000; ++i) text += ",\n";
  text += "ok,2015550001\nbad phone,12345\n";
  LeadCsvReader reader(text);
  LeadCsvResult r;
  while (reader.next(r, 7)) {
  }
  ASSERT_EQ(r.leads.size(), 1u);
  EXPECT_EQ(r.errors.size(), kMaxReportedErrors);
  EXPECT_EQ(r.errors.front().line, 1);
  EXPECT_EQ(r.errors.back().line, int(kMaxReportedErrors));
  EXPECT_EQ(r.error_count, 200001u);
  EXPECT_EQ(r.errors_by_reason["no_phone"], 200000u);
  EXPECT_EQ(r.errors_by_reason["too_short"], 1u);
}

// Issue 15: numbers are parsed once, at import, with the campaign's region; invalid ones are
// rejected by line with their reason, valid rows kept; extensions stay as written.
TEST(LeadCsv, NumbersBecomeE164WithTheCampaignsRegion) {
  LeadCsvOptions gb;
  gb.default_region = "GB";
  const auto r = parse_lead_csv("name,phone\n"
                                "national,01615527789\n"
                                "international,+44 161 552 7789\n"
                                "no plus,441615527789\n"
                                "formatted,\"(0161) 552-7789\"\n"
                                "too short,+44 161\n"
                                "extension,2001\n"
                                "words,call me\n"
                                "bad country,+999 1234 5678\n",
                                gb);
  ASSERT_EQ(r.leads.size(), 5u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(r.leads[i].phone, "+441615527789") << r.leads[i].name;
  EXPECT_EQ(r.leads[0].phone_raw, "01615527789");
  EXPECT_EQ(r.leads[3].phone_raw, "(0161) 552-7789");
  EXPECT_EQ(r.leads[4].phone, "2001");
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].line, 6);
  EXPECT_EQ(r.errors[0].reason, "phone '+44 161' is too short for GB");
  EXPECT_EQ(r.errors[1].line, 8);
  EXPECT_EQ(r.errors[1].reason, "phone 'call me' is not a phone number");
  EXPECT_EQ(r.errors[2].line, 9);
  EXPECT_EQ(r.errors[2].reason, "phone '+999 1234 5678' has no valid country code");
  EXPECT_EQ(r.errors_by_reason.at("too_short"), 1u);
  EXPECT_EQ(r.errors_by_reason.at("not_a_number"), 1u);
  EXPECT_EQ(r.errors_by_reason.at("bad_country_code"), 1u);
  // The same national text is no number in the US.
  const auto us = parse_lead_csv("national,01615527789\n");
  ASSERT_EQ(us.errors.size(), 1u);
  EXPECT_EQ(us.errors[0].reason, "phone '01615527789' is too long for US");
}

// Duplicates are found on E.164, whatever the format each row wrote its number in.
TEST(LeadCsv, DuplicatesAreTheSameNumberInAnyFormat) {
  LeadCsvOptions o;
  o.default_region = "GB";
  o.skip_duplicate_phones = true;
  const auto r = parse_lead_csv("a,+44 161 552 7789\nb,01615527789\nc,441615527789\n", o);
  EXPECT_EQ(r.leads.size(), 1u);
  EXPECT_EQ(r.skipped_duplicates, 2);
}

// A long bad phone is cut in the report (a report must not grow with the row).
TEST(LeadCsv, ALongBadPhoneIsCutInTheReport) {
  const auto r = parse_lead_csv("a," + std::string(500, 'x') + "1\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_LT(r.errors[0].reason.size(), 100u);
  EXPECT_NE(r.errors[0].reason.find("...'"), std::string::npos);
}

// ---- files from other dialers: column mapping, delimiters, Latin-1 (issue 20) ----

TEST(LeadCsvMapping, OmniLeadsSemicolonsWithTelefonoTel1Tel2AreRecognisedByName) {
  // OMniLeads' documented headers; no mapping given: the answer says which one was used.
  const auto text =
      "nombre;telefono;tel1;tel2;id;ciudad\n"
      "Ana Pérez;5491155550001;5491155550002;;c-1;Córdoba\n"
      "Luis;5491155550003;;5491155550004;c-2;Rosario\n"
      "Sin número;;;;c-3;Salta\n";
  LeadCsvReader reader(text);
  LeadCsvResult r;
  while (reader.next(r, 100)) {
  }
  EXPECT_TRUE(r.had_header);
  ASSERT_EQ(r.leads.size(), 2u) << (r.errors.empty() ? "" : r.errors[0].reason);
  EXPECT_EQ(r.leads[0].name, "Ana Pérez");
  EXPECT_EQ(r.leads[0].phone, "+5491155550001");  // E.164: no +, read as country code + number
  EXPECT_EQ(r.leads[0].extra_phones, std::vector<std::string>{"+5491155550002"});
  EXPECT_EQ(r.leads[0].external_id, "c-1");
  EXPECT_EQ(r.leads[0].fields_json, "{\"ciudad\":\"Córdoba\"}");
  EXPECT_EQ(r.leads[1].extra_phones, std::vector<std::string>{"+5491155550004"});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 4);
  EXPECT_EQ(r.errors[0].reason, "no phone number");
  const auto m = reader.mapping_json();
  EXPECT_EQ(m.at("delimiter"), ";");
  EXPECT_EQ(m.at("phoneColumns"), (boost::json::array{"telefono", "tel1", "tel2"}));
  EXPECT_EQ(m.at("nameColumn"), "nombre");
  EXPECT_EQ(m.at("externalIdColumn"), "id");
}

TEST(LeadCsvMapping, VicidialTabFileWithTheCallersMapping) {
  // VICIdial's list-loader columns, tab-separated; the mapping says which hold what, and the
  // phone columns are dialed in the mapping's order (alt_phone before phone_number here).
  LeadCsvOptions o;
  o.mapping.phone_columns = {"ALT_PHONE", "phone_number"};
  o.mapping.name_column = "first_name";
  o.mapping.external_id_column = "vendor_lead_code";
  const auto text =
      "vendor_lead_code\tphone_code\tphone_number\tfirst_name\tlast_name\talt_phone\n"
      "V1\t1\t3125550101\tMary\tJones\t3125550199\n"
      "V2\t1\t12\tBob\tBad\t\n"
      "V3\t1\t3125550103\tJoe\tDoe\t\n";
  LeadCsvReader reader(text, o);
  EXPECT_EQ(reader.mapping_error(), "");
  LeadCsvResult r;
  while (reader.next(r, 100)) {
  }
  ASSERT_EQ(r.leads.size(), 1u);
  EXPECT_EQ(r.leads[0].external_id, "V1");
  EXPECT_EQ(r.leads[0].name, "Mary");
  EXPECT_EQ(r.leads[0].phone, "+13125550199");
  EXPECT_EQ(r.leads[0].extra_phones, std::vector<std::string>{"+13125550101"});
  EXPECT_EQ(r.leads[0].fields_json, "{\"phone_code\":\"1\",\"last_name\":\"Jones\"}");
  ASSERT_EQ(r.errors.size(), 2u);  // V2: alt_phone (the main number here) empty; V3 likewise
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_EQ(r.errors[1].line, 4);
  EXPECT_EQ(reader.mapping_json().at("delimiter"), "tab");
}

TEST(LeadCsvMapping, AMappedColumnTheHeaderLacksIsNamed) {
  LeadCsvOptions o;
  o.mapping.phone_columns = {"tel1", "tel3"};
  LeadCsvReader reader("nombre,tel1,tel2\nAna,5550001,5550002\n", o);
  EXPECT_EQ(reader.mapping_error(), "the header has no column tel3 (its columns: nombre, tel1, tel2)");
  LeadCsvResult r;
  reader.next(r, 10);
  EXPECT_TRUE(r.leads.empty());
}

TEST(LeadCsvMapping, CommonHeaderNamesAndDelimiters) {
  for (const char* h : {"phone", "Teléfono", "TELEFONO", "tel", "tel2", "mobile", "celular", "número", "numero",
                        "phone_number"}) {
    std::string lower = h;
    for (auto& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_TRUE(is_phone_header(lower)) << h;
  }
  EXPECT_FALSE(is_phone_header("name"));
  EXPECT_FALSE(is_phone_header("city"));
  // A quoted delimiter does not count; with no header the simple `Name, Phone` form stays.
  auto r = parse_lead_csv("\"Smith; John\",2015550001\n");
  ASSERT_EQ(r.leads.size(), 1u);
  EXPECT_EQ(r.leads[0].name, "Smith; John");
  r = parse_lead_csv("Ana;2015550001\nLuis;2015550002\n");
  ASSERT_EQ(r.leads.size(), 2u);
  EXPECT_EQ(r.leads[1].phone, "+12015550002");
}

TEST(LeadCsvMapping, Latin1IsFoundByLineAndConverted) {
  const std::string latin1 = "nombre;telefono\nAna;2015550001\nJos\xe9 Mar\xed" "a;2015550002\n";
  EXPECT_EQ(first_invalid_utf8(latin1), latin1.find('\xe9'));
  EXPECT_EQ(first_invalid_utf8("ok\n\xc3\xa9t\xc3\xa9\n"), std::string_view::npos);
  EXPECT_EQ(first_invalid_utf8("a\n\xe2\x82"), 2u);  // a sequence cut short
  const auto utf8 = latin1_to_utf8(latin1);
  EXPECT_TRUE(valid_utf8(utf8));
  const auto r = parse_lead_csv(utf8);
  ASSERT_EQ(r.leads.size(), 2u);
  EXPECT_EQ(r.leads[1].name, "José María");
}

TEST(LeadCsvMapping, ANameLikeTelmaIsNotAHeader) {
  const auto r = parse_lead_csv("Telma Silva,2015550001\nMobile Home Inc,2015550002\n");
  EXPECT_FALSE(r.had_header);
  ASSERT_EQ(r.leads.size(), 2u);
  EXPECT_EQ(r.leads[0].name, "Telma Silva");
  EXPECT_FALSE(is_phone_header("telma silva"));
  EXPECT_TRUE(is_phone_header("tel_casa"));
  EXPECT_TRUE(is_phone_header("phone 2"));
}
