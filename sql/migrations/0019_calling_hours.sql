-- Calling hours at the called party's local time (issue 18 part 4).

-- The campaign's window in each lead's own time zone(s); NULL: off. A start after the end is a
-- window across midnight (start inclusive, end exclusive).
ALTER TABLE campaigns ADD COLUMN calling_start time;
ALTER TABLE campaigns ADD COLUMN calling_end time;
ALTER TABLE campaigns ADD CONSTRAINT campaigns_calling_hours CHECK
  ((calling_start IS NULL) = (calling_end IS NULL) AND (calling_start IS NULL OR calling_start <> calling_end));

-- The zones the lead's numbers may be in (IANA names from tzdata's zone1970.tab, through
-- libphonenumber's region and geocoder: signaling/number_time_zones.h), written at import.
-- NULL: not known yet (leads from before this migration, leads added or edited one by one):
-- hark fills them when a campaign with calling hours starts. Empty: no zone known (an
-- extension, a non-geographic number): the campaign's own time zone is used.
ALTER TABLE leads ADD COLUMN time_zones text[];

-- Whether `moment` is inside [open_at, close_at) in every one of `zones` (the all-zones rule: a
-- number that may be in several zones is called only when the window holds in all), or in
-- `fallback` (the campaign's zone) when no zone is known. No window (open_at NULL): true.
-- control/campaign/calling_window.cpp is the same rule in C++ (tests/sql/calling_hours_store_test.cpp
-- checks that they agree).
CREATE FUNCTION hark_calling_window_open(zones text[], fallback text, open_at time, close_at time, moment timestamptz)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT open_at IS NULL OR NOT EXISTS (
    SELECT 1 FROM unnest(CASE WHEN cardinality(zones) > 0 THEN zones ELSE ARRAY[fallback] END) AS z
    WHERE NOT CASE WHEN open_at < close_at
                   THEN (moment AT TIME ZONE z)::time >= open_at AND (moment AT TIME ZONE z)::time < close_at
                   ELSE (moment AT TIME ZONE z)::time >= open_at OR (moment AT TIME ZONE z)::time < close_at END)
$$;
