// Calling hours at the called party's local time (issue 18 part 4), as a pure check: a
// window of local times ("08:00"-"21:00") and the UTC offsets of the zones a lead may be in
// -> whether it may be called now, else when it may next.
//
// The rule: the window holds in ALL of the lead's zones (a number whose location is not known
// to one zone may be in any of them). Start inclusive, end exclusive; a start after the end is a
// window across midnight ("20:00"-"02:00"). PostgreSQL applies the same rule to millions of
// leads in the claim (hark_calling_window_open, sql/migrations/0019_calling_hours.sql); this
// unit says when waiting leads' window opens (the campaign summary) and is the rule's reference.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace hark::control {

struct CallingHours {
  int start_s = 0;  ///< seconds after local midnight, inclusive
  int end_s = 0;    ///< exclusive; below start_s: the window runs across midnight
};

/// "HH:MM" or "HH:MM:SS" -> seconds after midnight; -1 when it is not a time of day.
int time_of_day_s(std::string_view text);

/// Whether `local_s` (seconds after local midnight) is inside `h`.
bool within_hours(const CallingHours& h, int local_s);

struct WindowCheck {
  bool open = false;                   ///< inside the window in every zone now
  std::optional<std::int64_t> next_s;  ///< open: now; else the next opening (UTC seconds); none: never
};

/// Checks `h` at `now_s` (UTC seconds since 1970) in every zone of `utc_offsets_s` (each zone's
/// offset east of UTC at `now_s`, seconds). The next opening assumes the offsets hold until then
/// (a daylight-saving change in between moves it by that hour; the claim checks again).
/// No zones: open.
WindowCheck check_window(const CallingHours& h, std::span<const int> utc_offsets_s, std::int64_t now_s);

}  // namespace hark::control
