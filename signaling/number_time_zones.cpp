#include "signaling/number_time_zones.h"

#include <phonenumbers/geocoding/phonenumber_offline_geocoder.h>
#include <phonenumbers/phonenumberutil.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <list>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <unordered_map>

namespace hark::signaling {

namespace {
using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberOfflineGeocoder;
using i18n::phonenumbers::PhoneNumberUtil;
using ZoneList = std::vector<std::string>;

PhoneNumberUtil& util() { return *PhoneNumberUtil::GetInstance(); }

/// States and provinces whose geocoder names ("Texas", "New York, NY") map to zones. Only for
/// countries whose geocoder speaks in states; a state across zones lists them all, so the
/// all-zones rule holds inside it. Zones not in zone1970.tab for the country are dropped.
struct Area {
  const char* region;
  const char* name;
  const char* abbrev;
  const char* zones;  ///< space-separated
};
constexpr Area kAreas[] = {
    // United States (zone1970.tab's comments name the split states' parts).
    {"US", "Alabama", "AL", "America/Chicago"},
    {"US", "Alaska", "AK", "America/Anchorage America/Juneau America/Sitka America/Metlakatla America/Yakutat America/Nome America/Adak"},
    {"US", "Arizona", "AZ", "America/Phoenix America/Denver"},  // the Navajo Nation keeps DST
    {"US", "Arkansas", "AR", "America/Chicago"},
    {"US", "California", "CA", "America/Los_Angeles"},
    {"US", "Colorado", "CO", "America/Denver"},
    {"US", "Connecticut", "CT", "America/New_York"},
    {"US", "Delaware", "DE", "America/New_York"},
    {"US", "Washington D.C.", "DC", "America/New_York"},
    {"US", "District of Columbia", "DC", "America/New_York"},
    {"US", "Florida", "FL", "America/New_York America/Chicago"},
    {"US", "Georgia", "GA", "America/New_York"},
    {"US", "Hawaii", "HI", "Pacific/Honolulu"},
    {"US", "Idaho", "ID", "America/Boise America/Los_Angeles"},
    {"US", "Illinois", "IL", "America/Chicago"},
    {"US", "Indiana", "IN",
     "America/Indiana/Indianapolis America/Indiana/Vincennes America/Indiana/Winamac America/Indiana/Marengo "
     "America/Indiana/Petersburg America/Indiana/Vevay America/Indiana/Tell_City America/Indiana/Knox America/Chicago"},
    {"US", "Iowa", "IA", "America/Chicago"},
    {"US", "Kansas", "KS", "America/Chicago America/Denver"},
    {"US", "Kentucky", "KY", "America/Kentucky/Louisville America/Kentucky/Monticello America/New_York America/Chicago"},
    {"US", "Louisiana", "LA", "America/Chicago"},
    {"US", "Maine", "ME", "America/New_York"},
    {"US", "Maryland", "MD", "America/New_York"},
    {"US", "Massachusetts", "MA", "America/New_York"},
    {"US", "Michigan", "MI", "America/Detroit America/Menominee"},
    {"US", "Minnesota", "MN", "America/Chicago"},
    {"US", "Mississippi", "MS", "America/Chicago"},
    {"US", "Missouri", "MO", "America/Chicago"},
    {"US", "Montana", "MT", "America/Denver"},
    {"US", "Nebraska", "NE", "America/Chicago America/Denver"},
    {"US", "Nevada", "NV", "America/Los_Angeles America/Denver"},
    {"US", "New Hampshire", "NH", "America/New_York"},
    {"US", "New Jersey", "NJ", "America/New_York"},
    {"US", "New Mexico", "NM", "America/Denver"},
    {"US", "New York", "NY", "America/New_York"},
    {"US", "North Carolina", "NC", "America/New_York"},
    {"US", "North Dakota", "ND",
     "America/Chicago America/North_Dakota/Center America/North_Dakota/New_Salem America/North_Dakota/Beulah America/Denver"},
    {"US", "Ohio", "OH", "America/New_York"},
    {"US", "Oklahoma", "OK", "America/Chicago"},
    {"US", "Oregon", "OR", "America/Los_Angeles America/Boise"},
    {"US", "Pennsylvania", "PA", "America/New_York"},
    {"US", "Rhode Island", "RI", "America/New_York"},
    {"US", "South Carolina", "SC", "America/New_York"},
    {"US", "South Dakota", "SD", "America/Chicago America/Denver"},
    {"US", "Tennessee", "TN", "America/Chicago America/New_York"},
    {"US", "Texas", "TX", "America/Chicago America/Denver"},
    {"US", "Utah", "UT", "America/Denver"},
    {"US", "Vermont", "VT", "America/New_York"},
    {"US", "Virginia", "VA", "America/New_York"},
    {"US", "Washington", "WA", "America/Los_Angeles"},
    {"US", "West Virginia", "WV", "America/New_York"},
    {"US", "Wisconsin", "WI", "America/Chicago"},
    {"US", "Wyoming", "WY", "America/Denver"},
    // Canada.
    {"CA", "Alberta", "AB", "America/Edmonton"},
    {"CA", "British Columbia", "BC", "America/Vancouver America/Edmonton America/Dawson_Creek America/Fort_Nelson America/Phoenix"},
    {"CA", "Manitoba", "MB", "America/Winnipeg"},
    {"CA", "New Brunswick", "NB", "America/Moncton"},
    {"CA", "Newfoundland and Labrador", "NL", "America/St_Johns America/Goose_Bay"},
    {"CA", "Nova Scotia", "NS", "America/Halifax America/Glace_Bay"},
    {"CA", "Ontario", "ON", "America/Toronto America/Winnipeg America/Panama"},
    {"CA", "Prince Edward Island", "PE", "America/Halifax"},
    {"CA", "Quebec", "QC", "America/Toronto America/Puerto_Rico"},
    {"CA", "Saskatchewan", "SK", "America/Regina America/Swift_Current America/Edmonton"},
    {"CA", "Northwest Territories", "NT", "America/Edmonton America/Inuvik"},
    {"CA", "Nunavut", "NU", "America/Iqaluit America/Resolute America/Rankin_Inlet America/Cambridge_Bay America/Panama"},
    {"CA", "Yukon", "YT", "America/Whitehorse America/Dawson"},
    // Australia (the geocoder mostly names towns; big cities match their zone by name).
    {"AU", "New South Wales", "NSW", "Australia/Sydney Australia/Broken_Hill"},
    {"AU", "Australian Capital Territory", "ACT", "Australia/Sydney"},
    {"AU", "Victoria", "VIC", "Australia/Melbourne"},
    {"AU", "Queensland", "QLD", "Australia/Brisbane Australia/Lindeman"},
    {"AU", "South Australia", "SA", "Australia/Adelaide"},
    {"AU", "Northern Territory", "NT", "Australia/Darwin"},
    {"AU", "Western Australia", "WA", "Australia/Perth Australia/Eucla Asia/Tokyo"},
    {"AU", "Tasmania", "TAS", "Australia/Hobart"},
};

std::string tz_dir() {
  const char* d = std::getenv("TZDIR");
  return d && *d ? d : "/usr/share/zoneinfo";
}

/// zone1970.tab: "CC[,CC...] <tab> coordinates <tab> zone [<tab> comment]"; each country of
/// the first column gets the zone.
std::map<std::string, ZoneList> read_zone_table() {
  std::map<std::string, ZoneList> by_region;
  std::ifstream in(zone_table_path());
  if (!in) {
    spdlog::warn("time zones: cannot read {}: calling hours fall back to each campaign's time zone (install tzdata)",
                 zone_table_path());
    return by_region;
  }
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string countries, coordinates, zone;
    if (!std::getline(fields, countries, '\t') || !std::getline(fields, coordinates, '\t') ||
        !std::getline(fields, zone, '\t') || zone.empty())
      continue;
    std::istringstream cs(countries);
    for (std::string cc; std::getline(cs, cc, ',');) by_region[cc].push_back(zone);
  }
  for (auto& [cc, zones] : by_region) {
    std::sort(zones.begin(), zones.end());
    zones.erase(std::unique(zones.begin(), zones.end()), zones.end());
  }
  return by_region;
}

const std::map<std::string, ZoneList>& zone_table() {
  static const auto table = read_zone_table();
  return table;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

/// "America/Broken_Hill" -> "Broken Hill".
std::string zone_city(std::string_view zone) {
  std::string city(zone.substr(zone.rfind('/') + 1));
  std::replace(city.begin(), city.end(), '_', ' ');
  return city;
}

ZoneList area_zones(std::string_view region, std::string_view part, const ZoneList& country) {
  ZoneList out;
  for (const auto& a : kAreas) {
    if (region != a.region || (part != a.name && part != a.abbrev)) continue;
    std::istringstream zs(a.zones);
    for (std::string z; zs >> z;)
      if (std::binary_search(country.begin(), country.end(), z)) out.push_back(z);
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// Interned zone lists: a handful of distinct ones, so every lead of a state shares one.
const ZoneList& intern(ZoneList zones) {
  static std::mutex mu;
  static std::set<ZoneList> lists;
  std::sort(zones.begin(), zones.end());
  zones.erase(std::unique(zones.begin(), zones.end()), zones.end());
  std::lock_guard lk(mu);
  return *lists.insert(std::move(zones)).first;
}

const ZoneList& no_zones() {
  static const ZoneList none;
  return none;
}

/// `digits` (after the '+') split into country calling code and national number.
bool split_e164(std::string_view digits, PhoneNumber& n) {
  if (digits.empty() || digits.size() > 17) return false;
  for (size_t len = 1; len <= 3 && len < digits.size(); ++len) {
    const int cc = std::stoi(std::string(digits.substr(0, len)));
    std::string region;
    util().GetRegionCodeForCountryCode(cc, &region);
    if (region == "ZZ") continue;  // calling codes are prefix-free: try a longer one
    const auto national = digits.substr(len);
    size_t zeros = 0;
    while (zeros + 1 < national.size() && national[zeros] == '0') ++zeros;
    n.set_country_code(cc);
    n.set_national_number(std::stoull(std::string(national)));
    if (zeros > 0) {  // Italy and a few others keep a leading 0 that E.164 carries
      n.set_italian_leading_zero(true);
      if (zeros > 1) n.set_number_of_leading_zeros(int(zeros));
    }
    return true;
  }
  return false;
}

/// The uncached answer: region, then the geocoder's location where the region has several zones.
const ZoneList& compute_zones(std::string_view digits) {
  PhoneNumber n;
  if (!split_e164(digits, n)) return no_zones();
  std::string region;
  util().GetRegionCodeForNumber(n, &region);
  if (region.empty() || region == "ZZ" || region == "001") {
    // Not a valid number of a single region: every region of its calling code.
    std::list<std::string> regions;
    util().GetRegionCodesForCountryCallingCode(n.country_code(), &regions);
    ZoneList all;
    for (const auto& r : regions) {
      const auto& z = region_time_zones(r);
      all.insert(all.end(), z.begin(), z.end());
    }
    return intern(std::move(all));
  }
  const auto& country = region_time_zones(region);
  if (country.size() <= 1) return intern(country);
  static const PhoneNumberOfflineGeocoder geocoder;
  static const icu::Locale english("en");
  return intern(location_time_zones(region, geocoder.GetDescriptionForValidNumber(n, english)));
}

/// The calling codes that exist, and for each the zones of all its regions when they are one
/// list (+44: GB, GG, IM, JE are all Europe/London), so most numbers need no lookup at all.
class CallingCodes {
 public:
  CallingCodes() {
    for (int cc = 1; cc <= 999; ++cc) {
      std::string region;
      util().GetRegionCodeForCountryCode(cc, &region);
      if (region == "ZZ") continue;
      known_[cc] = true;
      std::list<std::string> regions;
      util().GetRegionCodesForCountryCallingCode(cc, &regions);
      const ZoneList* same = nullptr;
      bool one_list = !regions.empty();
      for (const auto& r : regions) {
        const auto& z = region_time_zones(r);
        if (z.size() > 1 || (same && *same != z)) one_list = false;
        same = &z;
      }
      if (one_list && same && same->size() == 1) constant_[cc] = &intern(*same);
    }
  }
  /// The length of the calling code `digits` starts with; 0 when none.
  size_t code_length(std::string_view digits, int& cc) const {
    cc = 0;
    for (size_t len = 1; len <= 3 && len < digits.size(); ++len) {
      cc = cc * 10 + (digits[len - 1] - '0');
      if (known_[cc]) return len;
    }
    return 0;
  }
  /// The zones of every number of `cc`, when they do not depend on the number.
  const ZoneList* constant(int cc) const { return constant_[cc]; }

 private:
  bool known_[1000] = {};
  const ZoneList* constant_[1000] = {};
};

/// Per calling code and the six digits after it (the US area code and exchange: the finest
/// prefix the geocoder's US data uses): the answer shared by every number under it.
class ZoneCache {
 public:
  const ZoneList& get(std::string_view digits) {
    int cc = 0;
    const size_t cc_len = codes_.code_length(digits, cc);
    if (cc_len == 0) return no_zones();
    if (const auto* z = codes_.constant(cc)) return *z;
    // The prefix's digits and its length (a short number's prefix is shorter) as one integer.
    const size_t len = std::min(digits.size(), cc_len + kPrefixDigits);
    std::uint64_t key = 0;
    for (size_t i = 0; i < len; ++i) key = key * 10 + std::uint64_t(digits[i] - '0');
    key = key * 16 + len;
    {
      std::lock_guard lk(mu_);
      if (auto it = by_prefix_.find(key); it != by_prefix_.end()) return *it->second;
    }
    const ZoneList& zones = compute_zones(digits);  // outside the lock: libphonenumber is slow (~20 us)
    std::lock_guard lk(mu_);
    if (by_prefix_.size() >= kMaxKeys) by_prefix_.clear();  // the lists stay interned
    by_prefix_.emplace(key, &zones);
    return zones;
  }

 private:
  static constexpr size_t kPrefixDigits = 6;
  static constexpr size_t kMaxKeys = 500000;
  CallingCodes codes_;
  std::mutex mu_;
  std::unordered_map<std::uint64_t, const ZoneList*> by_prefix_;
};
}  // namespace

std::string zone_table_path() { return tz_dir() + "/zone1970.tab"; }

const std::vector<std::string>& region_time_zones(std::string_view region) {
  const auto& t = zone_table();
  const auto it = t.find(std::string(region));
  return it == t.end() ? no_zones() : it->second;
}

std::vector<std::string> location_time_zones(std::string_view region, std::string_view location) {
  const auto& country = region_time_zones(region);
  // "San Francisco, CA", "São Paulo - SP", "California", "Sydney": try every part as a state
  // (name or abbreviation), then the first as a city naming a zone.
  std::vector<std::string_view> parts;
  for (std::string_view rest = location; !rest.empty();) {
    const auto cut = std::min(rest.find(','), rest.find(" - "));
    parts.push_back(trim(rest.substr(0, cut)));
    if (cut == std::string_view::npos) break;
    rest.remove_prefix(cut + (rest[cut] == ',' ? 1 : 3));
  }
  for (auto it = parts.rbegin(); it != parts.rend(); ++it)
    if (auto z = area_zones(region, *it, country); !z.empty()) return z;
  if (!parts.empty())
    for (const auto& zone : country)
      if (zone_city(zone) == parts.front()) return {zone};
  return country;
}

const std::vector<std::string>& number_time_zones(std::string_view e164) {
  if (e164.size() < 2 || e164[0] != '+') return no_zones();
  const auto digits = e164.substr(1);
  if (digits.find_first_not_of("0123456789") != std::string_view::npos) return no_zones();
  static ZoneCache cache;
  return cache.get(digits);
}

std::vector<std::string> numbers_time_zones(std::string_view phone, const std::vector<std::string>& extra) {
  const auto& first = number_time_zones(phone);
  if (extra.empty()) return first;
  std::vector<std::string> all = first;
  for (const auto& e : extra) {
    const auto& z = number_time_zones(e);
    all.insert(all.end(), z.begin(), z.end());
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

}  // namespace hark::signaling
