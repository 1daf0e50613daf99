#include "control/campaign/calling_window.h"

namespace hark::control {

namespace {
constexpr int kDay = 86400;

int mod_day(std::int64_t t) { return int(((t % kDay) + kDay) % kDay); }

bool open_at(const CallingHours& h, std::span<const int> offsets, std::int64_t t) {
  for (int off : offsets)
    if (!within_hours(h, mod_day(t + off))) return false;
  return true;
}
}  // namespace

int time_of_day_s(std::string_view t) {
  auto two = [&](size_t at) {
    if (t.size() < at + 2 || t[at] < '0' || t[at] > '9' || t[at + 1] < '0' || t[at + 1] > '9') return -1;
    return (t[at] - '0') * 10 + (t[at + 1] - '0');
  };
  if ((t.size() != 5 && t.size() != 8) || t[2] != ':' || (t.size() == 8 && t[5] != ':')) return -1;
  const int h = two(0), m = two(3), s = t.size() == 8 ? two(6) : 0;
  if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 59) return -1;
  return h * 3600 + m * 60 + s;
}

bool within_hours(const CallingHours& h, int local_s) {
  if (h.start_s <= h.end_s) return local_s >= h.start_s && local_s < h.end_s;
  return local_s >= h.start_s || local_s < h.end_s;  // across midnight
}

WindowCheck check_window(const CallingHours& h, std::span<const int> offsets, std::int64_t now_s) {
  if (open_at(h, offsets, now_s)) return {true, now_s};
  // The common window, when there is one, opens when the last of the zones' windows opens: at
  // one of the zones' window starts. Try each zone's next start within the coming day.
  std::optional<std::int64_t> next;
  for (int off : offsets) {
    const int local = mod_day(now_s + off);
    std::int64_t start = now_s + (h.start_s - local);
    if (start <= now_s) start += kDay;
    if (open_at(h, offsets, start) && (!next || start < *next)) next = start;
  }
  return {false, next};
}

}  // namespace hark::control
