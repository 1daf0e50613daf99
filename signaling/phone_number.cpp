#include "signaling/phone_number.h"

#include <phonenumbers/phonenumberutil.h>

#include <cctype>
#include <string_view>

namespace hark::signaling {

namespace {
using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

PhoneNumberUtil& util() { return *PhoneNumberUtil::GetInstance(); }

bool punctuation(char c) { return c == ' ' || c == '\t' || c == '-' || c == '(' || c == ')' || c == '.' || c == '/'; }

std::string e164_of(const PhoneNumber& n) {
  std::string out;
  util().Format(n, PhoneNumberUtil::E164, &out);
  return out;
}

// The number as E.164, read from `digits` (the input's digits), or "" when no reading reads
// again to itself. libphonenumber strips one national prefix a reading: "520212412009501"
// (+52, Mexico) loses "02" to +5212412009501, which read again loses its "1" (the mobile
// prefix Mexico retired): +522412009501, the number kept. "8 810 123 4567" from BY reads as
// +3758101234567, which read again loses its "8" and is no valid number: refused. So a lead
// and the same number on a do-not-call list match however each was written (found by the
// number fuzzer). Only a reading that stripped a prefix can change when read again: the
// others (the digits are the number, with or without its country code) skip the second
// reading, which would cost two thirds more per number.
std::string canonical_e164(const PhoneNumber& n, const std::string& digits) {
  std::string out = e164_of(n);
  std::string nsn;
  util().GetNationalSignificantNumber(n, &nsn);
  if (digits == nsn || digits == std::string_view(out).substr(1)) return out;
  for (int i = 0; i < 3; ++i) {
    PhoneNumber again;
    if (util().Parse(out, "ZZ", &again) != PhoneNumberUtil::NO_PARSING_ERROR || !util().IsValidNumber(again)) return {};
    std::string next = e164_of(again);
    if (next == out) return out;
    out = std::move(next);
  }
  return {};
}

NumberProblem problem_of_parse(PhoneNumberUtil::ErrorType e) {
  switch (e) {
    case PhoneNumberUtil::NO_PARSING_ERROR: return NumberProblem::none;
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR: return NumberProblem::bad_country_code;
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
    case PhoneNumberUtil::TOO_SHORT_NSN: return NumberProblem::too_short;
    case PhoneNumberUtil::TOO_LONG_NSN: return NumberProblem::too_long;
    case PhoneNumberUtil::NOT_A_NUMBER: break;
  }
  return NumberProblem::not_a_number;
}

/// Why a number that parsed is still not valid: libphonenumber's length check says best.
NumberProblem problem_of_invalid(const PhoneNumber& n) {
  switch (util().IsPossibleNumberWithReason(n)) {
    case PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY: return NumberProblem::local_only;
    case PhoneNumberUtil::INVALID_COUNTRY_CODE: return NumberProblem::bad_country_code;
    case PhoneNumberUtil::TOO_SHORT: return NumberProblem::too_short;
    case PhoneNumberUtil::TOO_LONG: return NumberProblem::too_long;
    default: return NumberProblem::invalid;
  }
}
}  // namespace

std::string region_code(std::string_view region) {
  std::string r(region);
  for (auto& c : r) c = char(std::toupper(static_cast<unsigned char>(c)));
  return r;
}

bool known_region(std::string_view region) {
  // Two letters first: libphonenumber's lookup wants a region code, not any text.
  return region.size() == 2 && util().GetCountryCodeForRegion(region_code(region)) != 0;
}

ParsedNumber parse_number(std::string_view raw, std::string_view default_region, int internal_length) {
  ParsedNumber r;
  std::string digits;
  bool plus = false, plain = true;  // plain: nothing but digits and punctuation
  for (char c : raw) {
    if (c >= '0' && c <= '9') digits += c;
    else if (c == '+') plus = true;
    else if (!punctuation(c)) plain = false;
  }
  if (digits.empty()) {
    r.problem = raw.find_first_not_of(" \t") == std::string_view::npos ? NumberProblem::empty : NumberProblem::not_a_number;
    return r;
  }
  if (!plus && plain && int(digits.size()) <= internal_length) {
    r.number = std::move(digits);
    r.extension = true;
    return r;
  }
  if (!known_region(default_region)) {
    r.problem = NumberProblem::unknown_region;
    return r;
  }
  const std::string region = region_code(default_region);
  PhoneNumber n;
  const auto err = util().Parse(std::string(raw), region, &n);
  // Valid for the default region first: one region's patterns, where IsValidNumber first finds
  // the number's region among all that share its country code (25 for +1, 4 for +44), about a
  // third of a lead import's time. A number valid there is valid; the others still get the
  // full check.
  if (err == PhoneNumberUtil::NO_PARSING_ERROR && (util().IsValidNumberForRegion(n, region) || util().IsValidNumber(n))) {
    r.number = canonical_e164(n, digits);
    if (r.number.empty()) r.problem = NumberProblem::invalid;
    return r;
  }
  // International without its '+' ("554183015031" from a Brazilian CRM, read in the US): the
  // national reading failed, so try the digits as country code + number.
  if (!plus && plain && digits.size() >= 8) {
    PhoneNumber intl;
    if (util().Parse("+" + digits, "ZZ", &intl) == PhoneNumberUtil::NO_PARSING_ERROR && util().IsValidNumber(intl)) {
      r.number = canonical_e164(intl, digits);
      if (r.number.empty()) r.problem = NumberProblem::invalid;
      return r;
    }
  }
  r.problem = err == PhoneNumberUtil::NO_PARSING_ERROR ? problem_of_invalid(n) : problem_of_parse(err);
  return r;
}

std::string_view problem_key(NumberProblem p) {
  switch (p) {
    case NumberProblem::none: return "ok";
    case NumberProblem::empty: return "no_phone";
    case NumberProblem::not_a_number: return "not_a_number";
    case NumberProblem::unknown_region: return "unknown_region";
    case NumberProblem::bad_country_code: return "bad_country_code";
    case NumberProblem::too_short: return "too_short";
    case NumberProblem::too_long: return "too_long";
    case NumberProblem::invalid: return "invalid_number";
    case NumberProblem::local_only: return "local_only";
  }
  return "invalid_number";
}

std::string problem_text(NumberProblem p, std::string_view region) {
  std::string in = " for ";
  in += region_code(region);
  switch (p) {
    case NumberProblem::none: return "a valid number";
    case NumberProblem::empty: return "no phone number";
    case NumberProblem::not_a_number: return "is not a phone number";
    case NumberProblem::unknown_region: return "default region '" + std::string(region) + "' is not a known region";
    case NumberProblem::bad_country_code: return "has no valid country code";
    case NumberProblem::too_short: return "is too short" + in;
    case NumberProblem::too_long: return "is too long" + in;
    case NumberProblem::invalid: return "is not a valid number" + in;
    case NumberProblem::local_only: return "is too short" + in + " (only a local number is this short)";
  }
  return "is not a valid number";
}

std::string format_for_region(std::string_view e164, std::string_view region) {
  PhoneNumber n;
  if (!known_region(region) || util().Parse(std::string(e164), "ZZ", &n) != PhoneNumberUtil::NO_PARSING_ERROR)
    return std::string(e164);
  std::string formatted, digits;
  util().FormatOutOfCountryCallingNumber(n, region_code(region), &formatted);
  for (char c : formatted)
    if (c >= '0' && c <= '9') digits += c;
  return digits;
}

}  // namespace hark::signaling
